/** Runs bench/opencv_baseline.py (Debian python3-opencv) on a clip and parses its JSON. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', 'opencv_baseline.py');

export interface OpencvResult {
  opencv: string;
  frames: number;
  faces: number;
  embedded: number;
  /** Total milliseconds per stage over the clip (decode counts every clip frame, the rest analysed frames only). */
  ms: { decode: number; detect_forward: number; detect_other: number; align: number; embed_forward: number };
}

export async function runOpencvBaseline(clip: string, detector320: string, embedder: string, fps: number, timeoutMs = 300_000): Promise<OpencvResult> {
  try {
    const { stdout } = await run(PYTHON, [SCRIPT, clip, '--detector', detector320, '--embedder', embedder, '--fps', String(fps)], {
      timeout: timeoutMs,
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop() as string) as OpencvResult;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`OpenCV baseline failed (${PYTHON} ${SCRIPT}): ${detail}. Install Debian's python3-opencv (apt-get install python3-opencv).`);
  }
}
