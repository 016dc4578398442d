import { Logger } from '../../plugin/log/logger';

/** Creates a real Logger that keeps its JSON lines (all levels) in `lines` instead of writing them to stderr. */
export function captureLogger(fields: Record<string, unknown> = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger(fields, { write: (line: string) => lines.push(line) }, () => 0);
  return { logger, lines };
}
