/**
 * Structured logging: one JSON object per line on stderr. Owns the level threshold and the
 * field conventions (time, level, msg, then fields). It never receives tokens or headers:
 * callers pass only what is safe to keep in a log file.
 */
import type { LogThreshold } from './config.ts';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Readonly<Record<LogThreshold, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing JSON lines to `write` (stderr by default) at or above `threshold`. */
export function createLogger(threshold: LogThreshold, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const min = RANK[threshold];
  const emit = (level: LogThreshold, msg: string, fields?: LogFields): void => {
    if (RANK[level] < min) return;
    const head = { time: new Date().toISOString(), level, msg };
    // The conventional keys come first and cannot be overwritten by a field.
    write(`${JSON.stringify(fields === undefined ? head : Object.assign({ ...head }, fields, head))}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** A logger that drops everything (library use and quiet tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
