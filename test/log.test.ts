/**
 * Tests of src/log.ts: one JSON object per line (time, level, msg, then fields), one write per
 * call, the level threshold, stderr as the default destination (STYLE principle 3: causes go to
 * the log, never to the client, so the log must stay machine-readable), and bounded lines (issue 15:
 * client text in a field is cut, so a line never grows with a request).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, cutForLog, LOG_THRESHOLDS, MAX_LOGGED_CHARS, MAX_RECORD_CHARS, silentLogger, writesAt, type LogThreshold } from '../src/log.ts';

function capture(threshold: LogThreshold): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger(threshold, (line) => void lines.push(line)) };
}

function logAll(logger: ReturnType<typeof createLogger>): void {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

test('each call writes exactly one newline-terminated JSON line: time, level, msg, then the fields', () => {
  const { lines, logger } = capture('debug');
  const before = Date.now();
  logger.info('request', { path: '/mcp', status: 200 });
  assert.equal(lines.length, 1);
  const line = lines[0] as string;
  assert.ok(line.endsWith('\n'));
  assert.equal(line.indexOf('\n'), line.length - 1, 'a log line holds no other newline');
  const record = JSON.parse(line) as Record<string, unknown>;
  assert.deepEqual(Object.keys(record), ['time', 'level', 'msg', 'path', 'status']);
  assert.equal(record.level, 'info');
  assert.equal(record.msg, 'request');
  assert.equal(record.path, '/mcp');
  assert.equal(record.status, 200);
  assert.match(record.time as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const time = Date.parse(record.time as string);
  assert.ok(time >= before - 1 && time <= Date.now() + 1);
});

test('a call without fields writes only time, level and msg', () => {
  const { lines, logger } = capture('debug');
  logger.warn('careful');
  assert.deepEqual(Object.keys(JSON.parse(lines[0] as string) as object), ['time', 'level', 'msg']);
});

test('line breaks inside messages and fields are escaped, so one call stays one line (no log forging)', () => {
  const { lines, logger } = capture('debug');
  logger.error('first\nsecond', { error: 'Error: boom\n    at f (x.ts:1:1)' });
  assert.equal(lines.length, 1);
  assert.equal((lines[0] as string).split('\n').length, 2);
  const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(record.msg, 'first\nsecond');
});

test('LOG_THRESHOLDS lists the four server log levels once, least severe first (config.ts LOG_LEVEL accepts exactly these)', () => {
  assert.deepEqual(LOG_THRESHOLDS, ['debug', 'info', 'warn', 'error']);
});

const thresholds: Array<[LogThreshold, string[]]> = [
  ['debug', ['debug', 'info', 'warn', 'error']],
  ['info', ['info', 'warn', 'error']],
  ['warn', ['warn', 'error']],
  ['error', ['error']],
];

for (const [threshold, expected] of thresholds) {
  test(`the ${threshold} threshold writes ${expected.join(', ')} and drops the rest`, () => {
    const { lines, logger } = capture(threshold);
    logAll(logger);
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { level: string }).level),
      expected,
    );
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { msg: string }).msg),
      expected.map((level) => level[0]),
    );
  });
}

test('the conventional keys win: a field named time, level or msg cannot rewrite them', () => {
  const { lines, logger } = capture('debug');
  logger.info('real', { level: 'error', msg: 'forged', time: 'yesterday', extra: 1 });
  const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.equal(record.level, 'info');
  assert.equal(record.msg, 'real');
  assert.notEqual(record.time, 'yesterday');
  assert.equal(record.extra, 1);
});

test('by default the logger writes to stderr and nothing to stdout', () => {
  const script = "import { createLogger } from './src/log.ts'; createLogger('info').info('to stderr', { n: 1 });";
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, '');
  const record = JSON.parse(child.stderr) as Record<string, unknown>;
  assert.equal(record.msg, 'to stderr');
  assert.equal(record.n, 1);
});

test('silentLogger accepts every level and writes nothing', () => {
  assert.doesNotThrow(() => logAll(silentLogger));
});

test('issue 15: a 400 KB client string in a field is cut with a marker, so the line stays under 2 KB', () => {
  const { lines, logger } = capture('debug');
  const method = 'x'.repeat(400_000);
  logger.info('request', { method: 'POST', rpcMethod: method, status: 200 });
  const line = lines[0] as string;
  assert.ok(line.length < 2048, `${line.length} characters`);
  const record = JSON.parse(line) as Record<string, unknown>;
  assert.equal(record.rpcMethod, `${'x'.repeat(MAX_LOGGED_CHARS)}…(+${400_000 - MAX_LOGGED_CHARS} chars)`);
  assert.equal(record.method, 'POST');
  assert.equal(record.status, 200);
});

test('issue 15: strings up to the limit are kept whole; one more character is cut', () => {
  const exact = 'a'.repeat(MAX_LOGGED_CHARS);
  assert.equal(cutForLog(exact), exact);
  assert.equal(cutForLog(`${exact}b`), `${exact}…(+1 chars)`);
});

test('issue 15: every field is bounded: nested strings, keys, long arrays, wide and deep objects, the whole record, and msg', () => {
  const { lines, logger } = capture('debug');
  const long = 'y'.repeat(100_000);
  const deep = { a: { b: { c: { d: { e: 1 } } } } };
  const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
  logger.warn(long, { deep, nested: { detail: long }, [long]: 1, wide, list: Array.from({ length: 10_000 }, () => long) });
  const line = lines[0] as string;
  assert.ok(line.length < MAX_RECORD_CHARS + 2 * MAX_LOGGED_CHARS + 2048, `${line.length} characters`);
  const record = JSON.parse(line) as Record<string, unknown>;
  assert.equal(record.msg, cutForLog(long));
  assert.deepEqual(record.deep, { a: { b: { c: '[object]' } } });
  assert.equal((record.nested as Record<string, unknown>).detail, cutForLog(long));
  assert.equal(record[cutForLog(long, 128)], 1);
  assert.equal(Object.keys(record.wide as object).length, 33);
  assert.equal((record.wide as Record<string, unknown>)['…'], '…(+968 more)');
  const list = record.list as string[];
  assert.equal(list.length, 33);
  assert.equal(list.at(-1), '…(+9968 more)');
  // The record's allowance (MAX_RECORD_CHARS) runs out: later strings keep only their marker.
  assert.equal(list.at(-2), `…(+${long.length} chars)`);
});

test('issue 15: a record holds at most 256 values, however they nest', () => {
  const { lines, logger } = capture('debug');
  const tree = Array.from({ length: 32 }, () => Array.from({ length: 32 }, () => Array.from({ length: 32 }, () => 1)));
  logger.info('tree', { tree });
  assert.ok((lines[0] as string).length < 4096, `${(lines[0] as string).length} characters`);
});

test('values JSON writes through toJSON (a Date) and non-string scalars are unchanged', () => {
  const { lines, logger } = capture('debug');
  logger.info('scalars', { when: new Date(0), n: 1.5, ok: true, none: null });
  const record = JSON.parse(lines[0] as string) as Record<string, unknown>;
  assert.deepEqual([record.when, record.n, record.ok, record.none], ['1970-01-01T00:00:00.000Z', 1.5, true, null]);
});

test('writesAt says which levels a logger writes, so a caller can skip building a record below its threshold', () => {
  const { lines, logger } = capture('warn');
  assert.equal(logger.threshold, 'warn');
  assert.deepEqual(LOG_THRESHOLDS.map((level) => writesAt(logger, level)), [false, false, true, true]);
  logAll(logger);
  assert.deepEqual(lines.map((line) => (JSON.parse(line) as { level: string }).level), ['warn', 'error']);
  // A logger without a threshold (a test's collector) may write every level.
  assert.deepEqual(LOG_THRESHOLDS.map((level) => writesAt(silentLogger, level)), [true, true, true, true]);
});
