/**
 * Tests of src/protocol/envelope.ts: the envelope claim that makes a request modern (MCP 2026-07-28
 * basic/versioning.mdx), the required and optional `_meta` fields (basic/index.mdx; checklist
 * M-V1…M-V3, M-E9) and W3C Trace Context parsing (basic/index.mdx "`_meta`": traceparent and
 * tracestate follow W3C Trace Context).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasEnvelopeClaim, isEnvelopeProblem, META_KEYS, readEnvelope, readTraceContext, type Envelope } from '../../src/protocol/envelope.ts';

const V = META_KEYS.protocolVersion;
const CAPS = META_KEYS.clientCapabilities;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

function envelope(meta: Record<string, unknown>): Envelope {
  const read = readEnvelope({ _meta: meta });
  assert.ok(!isEnvelopeProblem(read), JSON.stringify(read));
  return read;
}

test('basic/versioning.mdx: the claim is the presence of protocolVersion in params._meta, whatever its value or the method', () => {
  assert.equal(hasEnvelopeClaim({ _meta: { [V]: '2026-07-28' } }), true);
  assert.equal(hasEnvelopeClaim({ _meta: { [V]: 42 } }), true);
  assert.equal(hasEnvelopeClaim({ protocolVersion: '2025-11-25', _meta: { progressToken: 1 } }), false);
  assert.equal(hasEnvelopeClaim({ _meta: [V] }), false);
  assert.equal(hasEnvelopeClaim({ _meta: null }), false);
  assert.equal(hasEnvelopeClaim({}), false);
  assert.equal(hasEnvelopeClaim(undefined), false);
  // An inherited key is not a claim (no prototype games with client JSON).
  assert.equal(hasEnvelopeClaim({ _meta: Object.create({ [V]: '2026-07-28' }) as object }), false);
});

test('basic/index.mdx: version and clientCapabilities are read; clientInfo, logLevel and the trace context are optional', () => {
  const read = envelope({ [V]: '2026-07-28', [CAPS]: { sampling: {}, elicitation: { form: {} }, experimental: { big: 'x' } } });
  assert.deepEqual(read, { version: '2026-07-28', clientCapabilities: { sampling: {}, elicitation: { form: {} } }, clientInfo: undefined, logLevel: undefined, trace: undefined });
  const full = envelope({ [V]: 'v999.0.0', [CAPS]: {}, [META_KEYS.clientInfo]: { name: 'c', version: '1', title: 'C' }, [META_KEYS.logLevel]: 'warning' });
  assert.deepEqual([full.version, full.clientInfo, full.logLevel], ['v999.0.0', { name: 'c', version: '1' }, 'warning']);
});

test('checklist M-E9: each malformed envelope names the key at fault', () => {
  const problem = (params: Record<string, unknown> | undefined): unknown => readEnvelope(params);
  assert.deepEqual(problem(undefined), { problem: 'is required', key: '_meta' });
  assert.deepEqual(problem({ _meta: 'x' }), { problem: 'is required', key: '_meta' });
  assert.deepEqual(problem({ _meta: { [CAPS]: {} } }), { problem: 'is required', key: V });
  assert.deepEqual(problem({ _meta: { [V]: 2026, [CAPS]: {} } }), { problem: 'must be a string', key: V });
  assert.deepEqual(problem({ _meta: { [V]: '2026-07-28' } }), { problem: 'is required', key: CAPS });
  assert.deepEqual(problem({ _meta: { [V]: '2026-07-28', [CAPS]: [] } }), { problem: 'must be an object', key: CAPS });
  assert.deepEqual(problem({ _meta: { [V]: '2026-07-28', [CAPS]: {}, [META_KEYS.clientInfo]: { name: 'c' } } }), { problem: 'must be an Implementation with a string name and version', key: META_KEYS.clientInfo });
  assert.deepEqual(problem({ _meta: { [V]: '2026-07-28', [CAPS]: {}, [META_KEYS.logLevel]: 'verbose' } }), { problem: 'must be one of debug, info, notice, warning, error, critical, alert, emergency', key: META_KEYS.logLevel });
});

test('issue 15 #4: what is kept of clientInfo is bounded and copied, whatever the client sends', () => {
  const read = envelope({ [V]: '2026-07-28', [CAPS]: {}, [META_KEYS.clientInfo]: { name: 'n'.repeat(100_000), version: '1' } });
  assert.equal(read.clientInfo?.name.length, 256);
});

test('W3C Trace Context §3.2: a valid traceparent gives its ids; tracestate is kept only when well formed', () => {
  const traceparent = `00-${TRACE_ID}-${PARENT_ID}-01`;
  assert.deepEqual(readTraceContext(traceparent, undefined), { traceId: TRACE_ID, parentId: PARENT_ID, flags: '01', state: undefined });
  assert.deepEqual(readTraceContext(traceparent, 'rojo=00f067aa0ba902b7, congo=t61rcWkgMzE')?.state, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  assert.equal(readTraceContext(traceparent, 'tenant@vendor=x')?.state, 'tenant@vendor=x');
  for (const bad of ['UPPER=x', 'a=b,a=c', 'a=', 'a=b=c', '=x', 42, Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','), `a=${'v'.repeat(600)}`]) {
    assert.equal(readTraceContext(traceparent, bad)?.state, undefined, String(bad));
  }
  // A later version may carry more fields.
  assert.equal(readTraceContext(`01-${TRACE_ID}-${PARENT_ID}-01-extra`, undefined)?.traceId, TRACE_ID);
  const envelopeTrace = envelope({ [V]: '2026-07-28', [CAPS]: {}, traceparent });
  assert.equal(envelopeTrace.trace?.traceId, TRACE_ID);
});

test('W3C Trace Context §4.3: a malformed traceparent is ignored, never an error', () => {
  for (const bad of [
    `ff-${TRACE_ID}-${PARENT_ID}-01`,
    `00-${'0'.repeat(32)}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
    `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`,
    `00-${TRACE_ID}-${PARENT_ID}-01-extra`,
    `00-${TRACE_ID}-${PARENT_ID}`,
    `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`,
    '',
    42,
  ]) {
    assert.equal(readTraceContext(bad, 'a=b'), undefined, String(bad));
  }
  const read = envelope({ [V]: '2026-07-28', [CAPS]: {}, traceparent: 'garbage' });
  assert.equal(read.trace, undefined);
});
