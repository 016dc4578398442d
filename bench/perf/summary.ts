/** Derived figures and the printed table of `npm run bench`. */
import type { OpencvResult } from './opencv';
import type { EndToEnd } from './end-to-end';
import type { StageCosts } from './stages';

/** Frame rate one camera is analysed at in the sizing ("cameras at 5 fps"). */
export const CAMERA_FPS = 5;

export interface OpencvComparison {
  opencv: string;
  frames: number;
  embedded: number;
  /** Milliseconds per analysed frame (decode, detection) and per embedded face (embedding with alignment). */
  decodePerFrame: number;
  detectionPerFrame: number;
  detectorForwardPerFrame: number;
  embedPerFace: number;
  embedderForwardPerFace: number;
  /** Ours divided by OpenCV's; above 1 means the product is slower. */
  ratio: { detection: number; detectorRun: number; embedPerFace: number; embedderRunPerFace: number; decodeDetectEmbed: number };
}

export interface ResolutionResult {
  clip: { width: number; height: number; durationS: number; people: number };
  stages: StageCosts;
  stagesAt320: StageCosts;
  /** ffmpeg decoding alone plus the models' own run time, per frame. */
  lowerBoundMs: number;
  /** The product's single-thread cost per frame divided by the lower bound. */
  overheadRatio: number;
  endToEnd: EndToEnd;
  framesPerSPerCore: number;
  /** Cameras at CAMERA_FPS this machine analyses without a growing backlog, from the end-to-end throughput. */
  camerasAt5Fps: number;
  opencv: OpencvComparison | { notRun: string };
}

export function lowerBound(stages: StageCosts): number {
  return stages.decode + stages.modelRun.detector + stages.modelRun.embedder + stages.modelRun.ageGender;
}

/** Compares the product at detector input 320 with OpenCV's DNN module on the same clip and models. */
export function compareWithOpencv(ours320: StageCosts, cv: OpencvResult): OpencvComparison {
  const frames = Math.max(1, cv.frames);
  const embedded = Math.max(1, cv.embedded);
  const decodePerFrame = cv.ms.decode / frames;
  const detectionPerFrame = (cv.ms.detect_forward + cv.ms.detect_other) / frames;
  const embedPerFace = (cv.ms.align + cv.ms.embed_forward) / embedded;
  const oursPipeline = ours320.decode + ours320.detection + ours320.embedPerFace * ours320.embeddedPerFrame;
  const cvPipeline = decodePerFrame + detectionPerFrame + embedPerFace * ours320.embeddedPerFrame;
  return {
    opencv: cv.opencv,
    frames: cv.frames,
    embedded: cv.embedded,
    decodePerFrame,
    detectionPerFrame,
    detectorForwardPerFrame: cv.ms.detect_forward / frames,
    embedPerFace,
    embedderForwardPerFace: cv.ms.embed_forward / embedded,
    ratio: {
      detection: ours320.detection / detectionPerFrame,
      detectorRun: ours320.modelRun.detector / (cv.ms.detect_forward / frames),
      embedPerFace: ours320.embedPerFace / embedPerFace,
      embedderRunPerFace: ours320.embedderRunPerFace / (cv.ms.embed_forward / embedded),
      decodeDetectEmbed: oursPipeline / cvPipeline,
    },
  };
}

const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(1).padStart(7) : '      -');

function stageRows(r: ResolutionResult): string[] {
  const s = r.stages;
  const t = r.stagesAt320;
  const rows: [string, number, number][] = [
    ['decode (ffmpeg)', s.decode, t.decode],
    ['detection', s.detection, t.detection],
    ['  of which model run', s.modelRun.detector, t.modelRun.detector],
    ['quality gate', s.quality, t.quality],
    ['alignment', s.alignment, t.alignment],
    ['embedding (model run)', s.embedding, t.embedding],
    ['age/gender', s.ageGender, t.ageGender],
    ['tracking', s.tracking, t.tracking],
    ['identity + storage', s.storage, t.storage],
    ['total, one thread', s.total, t.total],
    ['lower bound (decode + model runs)', r.lowerBoundMs, lowerBound(t)],
  ];
  return rows.map(([name, a, b]) => `  ${name.padEnd(36)} ${ms(a)} ${ms(b)}`);
}

/** Formats the per-resolution table printed to the terminal. */
export function formatResolution(r: ResolutionResult): string {
  const e = r.endToEnd;
  const lines = [
    `${r.clip.width}x${r.clip.height}, ${r.clip.durationS} s clip, ${r.stages.frames} frames at ${CAMERA_FPS} fps, ${r.stages.facesPerFrame.toFixed(2)} faces/frame, ${r.stages.embeddedPerFrame.toFixed(2)} embedded/frame`,
    `  ms per frame                         det@${r.stages.detectorInputWidth} det@${r.stagesAt320.detectorInputWidth}`,
    ...stageRows(r),
    `  overhead vs lower bound              ${r.overheadRatio.toFixed(2)}x`,
    `  end to end, ${e.workers} workers: ${e.framesPerS.toFixed(1)} frames/s (${r.framesPerSPerCore.toFixed(1)} per core) -> ${r.camerasAt5Fps} cameras at ${CAMERA_FPS} fps`,
    `  latency frame -> event p50 ${e.latencyMs.p50.toFixed(0)} ms, p95 ${e.latencyMs.p95.toFixed(0)} ms; peak RSS ${e.peakRssMiB.process.toFixed(0)} MiB + ffmpeg ${e.peakRssMiB.children.toFixed(0)} MiB`,
  ];
  if ('notRun' in r.opencv) {
    lines.push(`  OpenCV baseline not run: ${r.opencv.notRun}`);
  } else {
    const c = r.opencv;
    lines.push(
      `  OpenCV ${c.opencv} (det@320)            ours/OpenCV`,
      `  decode ms/frame          ${ms(c.decodePerFrame)}   (ours ${ms(r.stagesAt320.decode)})`,
      `  detection ms/frame       ${ms(c.detectionPerFrame)}   ${c.ratio.detection.toFixed(2)}x (model run only ${c.ratio.detectorRun.toFixed(2)}x)`,
      `  embedding ms/face        ${ms(c.embedPerFace)}   ${c.ratio.embedPerFace.toFixed(2)}x (model run only ${c.ratio.embedderRunPerFace.toFixed(2)}x)`,
      `  decode+detect+embed      ${c.ratio.decodeDetectEmbed.toFixed(2)}x`,
    );
  }
  return lines.join('\n');
}
