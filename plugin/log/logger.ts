/**
 * Structured JSON-lines logger on stderr with secrets redacted. Every line
 * carries a level, a message and flat fields; URLs with user:password and
 * fields whose names look like secrets are masked before they are written.
 */

import { redactText } from './redact';

export { redactText } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /pass(word)?|secret|token|key|credential|authorization/i;

function redactValue(name: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_FIELD.test(name)) return '***';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return redactText(value.message);
  if (Array.isArray(value)) return value.map((item) => redactValue(name, item));
  if (typeof value === 'object') return redactFields(value as LogFields);
  return value;
}

function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [name, value] of Object.entries(fields)) out[name] = redactValue(name, value);
  return out;
}

export interface LogSink {
  write(line: string): void;
}

export class Logger {
  constructor(
    private readonly bound: LogFields = {},
    private readonly sink: LogSink = process.stderr,
    private readonly threshold: () => number = () => LEVELS[currentLevel()],
  ) {}

  child(fields: LogFields): Logger {
    return new Logger({ ...this.bound, ...fields }, this.sink, this.threshold);
  }

  debug(msg: string, fields?: LogFields): void { this.write('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.write('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.write('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.write('error', msg, fields); }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVELS[level] < this.threshold()) return;
    const record = {
      time: new Date().toISOString(),
      level,
      msg: redactText(msg),
      ...redactFields({ ...this.bound, ...fields }),
    };
    this.sink.write(JSON.stringify(record) + '\n');
  }
}

function currentLevel(): LogLevel {
  const level = (process.env.SHOPFACE_LOG_LEVEL ?? 'info').toLowerCase();
  return level in LEVELS ? (level as LogLevel) : 'info';
}

/** The process-wide logger; use `logger.child({ cameraId })` for per-camera context. */
export const logger = new Logger();
