/**
 * Structured logging: one JSON object per line on stderr. Owns the level threshold, the field
 * conventions (time, level, msg, then fields) and the size of a line: every string, key, array
 * and object is cut here, centrally, because many fields hold client text (method, tool name,
 * session id, error detail) and one record must not grow with a request. It never receives
 * tokens or headers: callers pass only what is safe to keep in a log file.
 */
/** The server log's levels, least severe first: LOG_LEVEL takes one of them (config.ts). */
export const LOG_THRESHOLDS = ['debug', 'info', 'warn', 'error'] as const;

export type LogThreshold = (typeof LOG_THRESHOLDS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  /**
   * The least severe level written, when the logger has a threshold: a caller may skip building
   * the fields of a record below it. Absent: every level may be written.
   */
  readonly threshold?: LogThreshold;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Longest string value kept whole; room for a stack trace, not for a request body. */
export const MAX_LOGGED_CHARS = 1024;
/** Characters of string values kept in one record, all fields together. */
export const MAX_RECORD_CHARS = 8192;
/** Most array items or object members kept per container, deepest nesting, values per record. */
const MAX_LOGGED_ITEMS = 32;
const MAX_LOGGED_DEPTH = 4;
const MAX_LOGGED_VALUES = 256;
const MAX_LOGGED_KEY_CHARS = 128;

/** What is left of one record's allowance. */
interface Budget {
  chars: number;
  values: number;
}

/** `text`, or its first `limit` characters and a marker saying how many were cut. */
export function cutForLog(text: string, limit = MAX_LOGGED_CHARS): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…(+${text.length - limit} chars)`;
}

function cutWithin(text: string, budget: Budget): string {
  const kept = cutForLog(text, Math.max(0, Math.min(MAX_LOGGED_CHARS, budget.chars)));
  budget.chars -= Math.min(text.length, MAX_LOGGED_CHARS);
  return kept;
}

/**
 * A copy of `value` bounded for a log record: each string cut to MAX_LOGGED_CHARS, all of them
 * together to MAX_RECORD_CHARS, keys to 128 characters, containers to MAX_LOGGED_ITEMS members and
 * MAX_LOGGED_DEPTH levels, and MAX_LOGGED_VALUES values in all.
 */
export function boundForLog(value: unknown): unknown {
  return bound(value, { chars: MAX_RECORD_CHARS, values: MAX_LOGGED_VALUES }, 0);
}

function bound(value: unknown, budget: Budget, depth: number): unknown {
  if (budget.values-- <= 0) return '…';
  if (typeof value === 'string') return cutWithin(value, budget);
  if (typeof value !== 'object' || value === null) return value;
  // What JSON.stringify would write for a Date or any other object with toJSON.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return bound((value as { toJSON(): unknown }).toJSON(), budget, depth);
  if (depth >= MAX_LOGGED_DEPTH) return Array.isArray(value) ? '[array]' : '[object]';
  if (Array.isArray(value)) {
    const items: unknown[] = value.slice(0, MAX_LOGGED_ITEMS).map((item: unknown) => bound(item, budget, depth + 1));
    if (value.length > MAX_LOGGED_ITEMS) items.push(`…(+${value.length - MAX_LOGGED_ITEMS} more)`);
    return items;
  }
  const keys = Object.keys(value);
  const object: LogFields = {};
  for (const key of keys.slice(0, MAX_LOGGED_ITEMS)) {
    // defineProperty: a client key such as "__proto__" stays an ordinary member.
    Object.defineProperty(object, cutForLog(key, MAX_LOGGED_KEY_CHARS), { value: bound((value as LogFields)[key], budget, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  if (keys.length > MAX_LOGGED_ITEMS) object['…'] = `…(+${keys.length - MAX_LOGGED_ITEMS} more)`;
  return object;
}

/** A logger writing JSON lines to `write` (stderr by default) at or above `threshold`. */
export function createLogger(threshold: LogThreshold, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const min = LOG_THRESHOLDS.indexOf(threshold);
  const emit = (level: LogThreshold, msg: string, fields?: LogFields): void => {
    if (LOG_THRESHOLDS.indexOf(level) < min) return;
    const head = { time: new Date().toISOString(), level, msg: cutForLog(msg) };
    // The conventional keys come first and cannot be overwritten by a field.
    write(`${JSON.stringify(fields === undefined ? head : Object.assign({ ...head }, boundForLog(fields), head))}\n`);
  };
  return {
    threshold,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

/** True when `logger` may write a record at `level` (see Logger.threshold). */
export function writesAt(logger: Logger, level: LogThreshold): boolean {
  return logger.threshold === undefined || LOG_THRESHOLDS.indexOf(level) >= LOG_THRESHOLDS.indexOf(logger.threshold);
}

/** A logger that drops everything (library use and quiet tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
