import type { CameraError, DiscoveryErrorCode } from './types';

/** An error with a code the API and the CLI can act on; the message names the value and the next step. */
export class DiscoveryError extends Error {
  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

/** Converts anything thrown while talking to one camera into a per-camera error. */
export function toCameraError(error: unknown): CameraError {
  if (error instanceof DiscoveryError) {
    return { code: error.code, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'invalid-response', message: `unexpected error: ${message}` };
}
