/**
 * Shared pieces of the live sidecar tests: shop clips with truth, the
 * reference analysis of the same clips, a live event recorder on the
 * sidecar's websocket, and readers for the per-camera rows in SQLite.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { planShopScenario, renderClip, type ClipTruth } from '../../bench/clipgen';
import type { Config } from '../../plugin/config/config';
import type { CameraState } from '../../plugin/core/types';
import { analyzeClip } from '../../plugin/pipeline/analyze-clip';
import type { AnalyzeReport } from '../../plugin/pipeline/report';
import { Database } from '../../plugin/store/db';
import { delay } from '../helpers/rtsp';

export const DATASETS = process.env.SHOPFACE_DATASETS ?? path.resolve(__dirname, '../../../shared/datasets');

/** Points the model loader at the shared mirror unless the caller chose one, as the detect tests do. */
export function useModelMirror(): void {
  process.env.SHOPFACE_MODEL_MIRROR ??= path.resolve(DATASETS, '..', 'models-alt');
}

export interface ShopClip {
  file: string;
  truth: ClipTruth;
}

/**
 * Renders three short shop clips (about 25 s each at 640x360, 10 fps):
 * `day1` holds only the regulars, `day2` the same regulars from other photos
 * with one-off visitors, and `strangers` people who appear in neither.
 */
export async function renderShopClips(dir: string, seed: number): Promise<Record<'day1' | 'day2' | 'strangers', ShopClip>> {
  if (!existsSync(DATASETS)) throw new Error(`face data sets not found at ${DATASETS}; set SHOPFACE_DATASETS`);
  const scenario = planShopScenario({
    datasetsDir: DATASETS, seed, regularCount: 4, oneOffCount: 4, smallCount: 1, strangerCount: 7, strangerSmallCount: 1,
    schedule: { dwellS: [5, 8], gapS: [0.5, 1.5] },
  });
  const day1 = scenario.day1.filter((person) => person.kind === 'regular');
  const clips = {} as Record<'day1' | 'day2' | 'strangers', ShopClip>;
  for (const [name, people] of [['day1', day1], ['day2', scenario.day2], ['strangers', scenario.strangers]] as const) {
    const file = path.join(dir, `${name}.mp4`);
    clips[name] = { file, truth: await renderClip(people, { out: file, seed: seed + name.length }) };
  }
  return clips;
}

/** Runs `npm run analyze`'s pipeline over `clip` into the store in `dataDir`, starting the clip at `startTime`. */
export function analyzeReference(clip: string, dataDir: string, config: Config, startTime: number): Promise<AnalyzeReport> {
  return analyzeClip({ input: clip, dataDir, config, startTime, cameraId: path.basename(clip, '.mp4') });
}

/** Copies a closed store (database and key) to a new data folder. */
export function copyStore(fromDir: string, toDir: string): void {
  mkdirSync(toDir, { recursive: true });
  for (const file of ['shopface.sqlite', 'store.key']) copyFileSync(path.join(fromDir, file), path.join(toDir, file));
}

export interface CameraEvent {
  /** Unix milliseconds when the test received the event. */
  atMs: number;
  cameraId: string;
  state: CameraState;
  detail?: string;
  framesAnalysed: number;
  framesDropped: number;
}

export interface FacesEvent {
  atMs: number;
  cameraId: string;
  /** Frame arrival at the sidecar, Unix seconds. */
  ts: number;
  boxes: number;
}

/** Records the events of the sidecar's live websocket (/api/v1/live). */
export class LiveEventRecorder {
  readonly cameras: CameraEvent[] = [];
  readonly faces: FacesEvent[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw) => this.record(JSON.parse(raw.toString())));
  }

  static connect(baseUrl: string): Promise<LiveEventRecorder> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/live`);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveEventRecorder(socket)));
      socket.once('error', reject);
    });
  }

  /** States that `cameraId` reported from `sinceMs` until before `untilMs`, in order, with repeats removed. */
  states(cameraId: string, sinceMs = 0, untilMs = Infinity): CameraState[] {
    const states: CameraState[] = [];
    for (const event of this.cameras) {
      if (event.cameraId !== cameraId || event.atMs < sinceMs || event.atMs >= untilMs) continue;
      if (states[states.length - 1] !== event.state) states.push(event.state);
    }
    return states;
  }

  lastState(cameraId: string): CameraState | undefined {
    return this.states(cameraId).pop();
  }

  /** `faces` events of `cameraId` with at least one box, received at or after `sinceMs`. */
  facesWithBoxes(cameraId: string, sinceMs = 0): FacesEvent[] {
    return this.faces.filter((event) => event.cameraId === cameraId && event.boxes > 0 && event.atMs >= sinceMs);
  }

  /** `faces` events of `cameraId` (one per analysed frame) received between the two times. */
  framesBetween(cameraId: string, fromMs: number, toMs: number): number {
    return this.faces.filter((event) => event.cameraId === cameraId && event.atMs >= fromMs && event.atMs < toMs).length;
  }

  close(): void {
    this.socket.terminate();
  }

  private record(message: { type: string; data: any }): void {
    const atMs = Date.now();
    if (message.type === 'camera') this.cameras.push({ atMs, ...message.data });
    if (message.type === 'faces') {
      const { cameraId, ts, boxes } = message.data;
      this.faces.push({ atMs, cameraId, ts, boxes: boxes.length });
    }
  }
}

/** Polls `condition` every 200 ms; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(200);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url} failed with HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface CameraRows {
  /** Stretches with frames, Unix seconds, in time order. */
  coverage: { from: number; to: number }[];
  /** People present per whole Unix second. A second without a row had zero people, or no coverage. */
  occupancy: Map<number, number>;
}

/** Reads one camera's coverage and occupancy rows from the store database in `dataDir`. */
export async function readCameraRows(dataDir: string, storeId: string, cameraId: string): Promise<CameraRows> {
  const db = await Database.open(path.join(dataDir, 'shopface.sqlite'));
  try {
    const coverage = await db.all<{ from_ts: number; to_ts: number }>(
      'SELECT from_ts, to_ts FROM coverage WHERE store_id = ? AND camera_id = ? ORDER BY from_ts', [storeId, cameraId],
    );
    const rows = await db.all<{ t: number; count: number }>(
      'SELECT t, count FROM occupancy WHERE store_id = ? AND camera_id = ?', [storeId, cameraId],
    );
    return {
      coverage: coverage.map((row) => ({ from: row.from_ts, to: row.to_ts })),
      occupancy: new Map(rows.map((row) => [row.t, row.count])),
    };
  } finally {
    await db.close();
  }
}
