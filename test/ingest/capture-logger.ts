import { Logger } from '../../plugin/log/logger';

/** A real Logger whose JSON lines (all levels) are kept in `lines` instead of going to stderr. */
export function captureLogger(fields: Record<string, unknown> = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger(fields, { write: (line: string) => lines.push(line) }, () => 0);
  return { logger, lines };
}
