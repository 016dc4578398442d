/**
 * Video ingest: one ffmpeg process per file or RTSP camera, delivering
 * fixed-size RGB24 frames with bounded memory.
 */

export { FfmpegSource } from './ffmpeg-source';
export type { FrameGap, SourceStateChange, SourceStats } from './ffmpeg-source';
export type { FfmpegSourceOptions, IngestLogger, SourceMode } from './source-options';
export { credentialSecrets, redactSecrets, redactUrl } from './redact';
export { isRtspUrl, resolveFfmpegPath } from './ffmpeg-args';
