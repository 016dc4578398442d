import type { DiscoveryLogger } from '../../plugin/discovery/types';

/** Creates a logger that keeps every message, so tests can assert warnings and that no secret was logged. */
export function captureLogger(): DiscoveryLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`);
  };
  return { lines, info: record('info'), warn: record('warn') };
}

export const CREDENTIALS = { username: 'admin', password: 'Secr3t-pass' };
