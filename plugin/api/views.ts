/**
 * Response shapes of the API, one per record type. Fields are copied one by one, so a
 * template, a credential or any other field that a backend or the pipeline
 * adds later never reaches a client by accident.
 */
import type { Face, FrameFaces, VisitorRecord, BusEvents } from '../core/types';
import { ageToBand } from '../attributes/fusion';
import type { CameraStatus } from './backend';
import { redactText, redactUrl } from './redact';

export interface LiveBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Short text for the overlay, for example "F 25-34"; empty when the pipeline abstained. */
  label: string;
}

/** One analysed frame as drawn by the dashboard; coordinates are in pixels of the analysed frame. */
export interface LiveFaces {
  cameraId: string;
  ts: number;
  width: number;
  height: number;
  boxes: LiveBox[];
}

/** pMale at or above this is labelled M, at or below 1 minus this F, and in between no letter. */
const GENDER_LABEL_MIN_P = 0.6;

export function cameraView(camera: CameraStatus): CameraStatus {
  return {
    id: camera.id,
    name: camera.name,
    source: redactUrl(camera.source),
    state: camera.state,
    detail: camera.detail === undefined ? undefined : redactText(camera.detail),
    framesAnalysed: camera.framesAnalysed,
    framesDropped: camera.framesDropped,
    width: camera.width,
    height: camera.height,
    codec: camera.codec,
  };
}

export function visitorView(visitor: VisitorRecord): VisitorRecord {
  return {
    visitorId: visitor.visitorId,
    identified: visitor.identified,
    cameraId: visitor.cameraId,
    firstSeenS: visitor.firstSeenS,
    lastSeenS: visitor.lastSeenS,
    returning: visitor.returning,
    visitCount: visitor.visitCount,
    gender: visitor.gender,
    ageBand: visitor.ageBand,
    age: visitor.age,
    dwellS: visitor.dwellS,
    faceSizePx: visitor.faceSizePx,
  };
}

export function cameraEventView(event: BusEvents['camera']): BusEvents['camera'] {
  return {
    cameraId: event.cameraId,
    state: event.state,
    detail: event.detail === undefined ? undefined : redactText(event.detail),
    framesAnalysed: event.framesAnalysed,
    framesDropped: event.framesDropped,
  };
}

/** Builds the overlay text of one face from its attributes, for example "F 25-34". */
export function faceLabel(face: Face): string {
  const attributes = face.attributes;
  const parts: string[] = [];
  if (face.recognition === 'returning') parts.push('returning');
  if (!attributes) return parts.join(' ');
  if (attributes.pMale >= GENDER_LABEL_MIN_P) parts.push('M');
  else if (attributes.pMale <= 1 - GENDER_LABEL_MIN_P) parts.push('F');
  parts.push(ageToBand(attributes.age));
  return parts.join(' ');
}

export function liveFacesView(frame: FrameFaces): LiveFaces {
  return {
    cameraId: frame.cameraId,
    ts: frame.ts,
    width: frame.width,
    height: frame.height,
    boxes: frame.faces.map((face) => ({
      x: face.box.x,
      y: face.box.y,
      width: face.box.width,
      height: face.box.height,
      label: faceLabel(face),
    })),
  };
}
