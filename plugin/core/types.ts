/**
 * The shared vocabulary of the sidecar. Every pipeline stage, the API and the
 * adapters speak in these types; this module imports nothing from plugin/.
 */

/** One decoded video frame, packed RGB24 (3 bytes a pixel, row-major, no padding). */
export interface Frame {
  cameraId: string;
  /** Seconds since the start of the source (clip) or since the Unix epoch (live). */
  ts: number;
  /** Frame sequence number within the source, from 0. */
  seq: number;
  width: number;
  height: number;
  data: Buffer;
}

/** An RGB24 image in memory (never written to disk). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An axis-aligned box in pixels of the analysed frame. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A point in pixels of the analysed frame. */
export interface Point {
  x: number;
  y: number;
}

/** Five facial landmarks in the order right eye, left eye, nose tip, right mouth corner, left mouth corner (image left to right for a frontal face). */
export type Landmarks = [Point, Point, Point, Point, Point];

/** Reason a face was kept out of identity or demographics. */
export type QualityIssue =
  | 'too-small'
  | 'blurred'
  | 'turned'
  | 'partial'
  | 'greyscale'
  | 'bad-landmarks';

export interface FaceQuality {
  /** Face height in pixels (box height). */
  size: number;
  /** Variance of the Laplacian of the grey face crop after contrast normalisation; higher is sharper. */
  sharpness: number;
  /** Estimated yaw in degrees from the landmarks; 0 is frontal, the sign is not used. */
  yaw: number;
  /** The detector's box reached past the frame and was clamped. */
  partial: boolean;
  /** The template may be used for identity (enrolment and matching). */
  identityOk: boolean;
  /** Age and gender may be estimated. */
  demographicsOk: boolean;
  /** Score in [0, 1] used to pick a track's best frames. */
  score: number;
  issues: QualityIssue[];
}

export type Gender = 'female' | 'male';

export const AGE_BANDS = ['under 18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Age and gender for one face crop, before fusion over a track. */
export interface AttributeSample {
  /** Estimated age in years. */
  age: number;
  /** Probability that the face is male, in [0, 1]. */
  pMale: number;
}

/** Fused demographics of a track or visitor; a null field means the pipeline abstained. */
export interface Demographics {
  age: number | null;
  ageBand: AgeBand | null;
  gender: Gender | null;
  /** Confidence of the gender decision in [0, 1] (0 when abstained). */
  genderConfidence: number;
}

/** One detected face in one frame, after the quality gate. */
export interface Face {
  box: Box;
  landmarks: Landmarks;
  /** Detector confidence in [0, 1]. It is never used as a match score. */
  score: number;
  quality: FaceQuality;
  /** L2-normalised template, present only when quality.identityOk. */
  template?: Float32Array;
  /** Present only when quality.demographicsOk. */
  attributes?: AttributeSample;
  /** The per-camera track this face was linked to, set by the tracker. */
  trackId?: number;
  /** Provisional identity of the track for live overlays: a known visitor or not (yet) recognised. */
  recognition?: 'returning' | 'new';
}

/** The analysis of one frame. */
export interface FrameFaces {
  cameraId: string;
  ts: number;
  seq: number;
  width: number;
  height: number;
  /** The frame carries no colour (IR or greyscale mode): no demographics for any face. */
  greyscale: boolean;
  faces: Face[];
  /** Milliseconds spent per stage for this frame. */
  timings: Record<string, number>;
}

/** A visitor as reported to users and the API (never with a template). */
export interface VisitorRecord {
  visitorId: string;
  /** False for a person whose face was never good enough for a template: counted, not recognised. */
  identified: boolean;
  cameraId: string;
  firstSeenS: number;
  lastSeenS: number;
  /** True when this visitor was seen in an earlier, closed visit. */
  returning: boolean;
  visitCount: number;
  gender: Gender | null;
  ageBand: AgeBand | null;
  age: number | null;
  dwellS: number;
  /** Largest face height seen during the visit, in pixels of the analysed frame. */
  faceSizePx: number;
}

export interface OccupancyPoint {
  /** Seconds (clip time or Unix time). */
  t: number;
  /** People present, or null when no camera delivered data for that second. */
  count: number | null;
}

/** Visit aggregates for one time bucket. */
export interface StatsBucket {
  /** Bucket start, Unix seconds. */
  start: number;
  bucketS: number;
  entries: number;
  uniqueVisitors: number;
  returningVisitors: number;
  /** Visitors by "ageBand|gender", for example "25-34|female" -> 3; abstentions use "unknown". */
  byAgeBandGender: Record<string, number>;
  avgDwellS: number | null;
  /** True when no camera delivered frames during the bucket, so zeros mean "unknown", not "nobody". */
  noData: boolean;
}

export type CameraState = 'starting' | 'live' | 'no-frames' | 'reconnecting' | 'auth-failed' | 'failed' | 'stopped';

/** The events on the in-process bus, by name. */
export interface BusEvents {
  faces: FrameFaces;
  visitor: VisitorRecord;
  occupancy: { cameraId: string; t: number; count: number };
  camera: { cameraId: string; state: CameraState; detail?: string; framesAnalysed: number; framesDropped: number };
}
