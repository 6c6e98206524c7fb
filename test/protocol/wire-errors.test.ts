/**
 * Tests for src/protocol/wire-errors.ts and the catalogue in src/protocol/domain-errors.ts: every
 * domain error has a wire code in both eras, resource not found differs by era (-32002 legacy,
 * -32602 modern), and each wire error is a valid schema.ts Error with the facts in `data`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomainError, InvalidArgument, isKnownDomainError, NotFound, Unavailable } from '../../src/protocol/domain-errors.ts';
import { ToolError } from '../../src/protocol/definitions.ts';
import { DOMAIN_ERROR_CODES, wireErrorFor } from '../../src/protocol/wire-errors.ts';
import { assertSchema } from '../helpers/schema.ts';

describe('the domain-error catalogue', () => {
  test('each class is an Error with a stable ERR_ code and its facts, and no JSON-RPC code', () => {
    const notFound = new NotFound('resource', 'incidents://9');
    assert.ok(notFound instanceof DomainError && notFound instanceof Error);
    assert.deepEqual([notFound.name, notFound.code, notFound.kind, notFound.key], ['NotFound', 'ERR_NOT_FOUND', 'resource', 'incidents://9']);
    const invalid = new InvalidArgument('focus', 'Invalid focus: "x"', { received: 'x' });
    assert.deepEqual([invalid.name, invalid.code, invalid.argument, invalid.message, invalid.details], ['InvalidArgument', 'ERR_INVALID_ARGUMENT', 'focus', 'Invalid focus: "x"', { received: 'x' }]);
    assert.deepEqual(new InvalidArgument('a', 'm').details, {});
  });

  test('isKnownDomainError knows the catalogue only: not ToolError, not a plain Error', () => {
    assert.equal(isKnownDomainError(new NotFound('resource', 'x')), true);
    assert.equal(isKnownDomainError(new InvalidArgument('a', 'm')), true);
    assert.equal(isKnownDomainError(new ToolError('m')), false);
    assert.equal(isKnownDomainError(new Error('m')), false);
    assert.equal(isKnownDomainError('ERR_NOT_FOUND'), false);
  });
});

describe('domain errors on the wire, per era', () => {
  test('the code table has a column for each era and a row for each class', () => {
    assert.deepEqual(DOMAIN_ERROR_CODES, {
      ERR_NOT_FOUND: { legacy: -32002, modern: -32602 },
      ERR_INVALID_ARGUMENT: { legacy: -32602, modern: -32602 },
      ERR_UNAVAILABLE: { legacy: -32603, modern: -32603 },
    });
  });

  test('an unavailable store is -32603 in both eras with a fixed message and the wait in data (issue 13; the transport adds 503)', () => {
    const error = new Unavailable('store', 5);
    assert.deepEqual([error.name, error.code, error.kind, error.retryAfterSeconds], ['Unavailable', 'ERR_UNAVAILABLE', 'store', 5]);
    assert.equal(isKnownDomainError(error), true);
    for (const era of ['legacy', 'modern'] as const) {
      const wire = wireErrorFor(error, era).toJson();
      assert.deepEqual(wire, { code: -32603, message: 'The incident store is unavailable; try again shortly', data: { retryAfter: 5 } });
      assertSchema('Error', wire);
    }
  });

  test('resource not found is -32002 on legacy (MCP 2025-11-25 server/resources.mdx) and -32602 on modern (2026-07-28 basic/index.mdx), data {uri} in both', () => {
    const error = new NotFound('resource', 'incidents://99');
    assert.deepEqual(wireErrorFor(error, 'legacy').toJson(), { code: -32002, message: 'Resource not found', data: { uri: 'incidents://99' } });
    assert.deepEqual(wireErrorFor(error, 'modern').toJson(), { code: -32602, message: 'Resource not found', data: { uri: 'incidents://99' } });
    for (const era of ['legacy', 'modern'] as const) assertSchema('Error', wireErrorFor(error, era).toJson());
  });

  test('an invalid argument is -32602 in both eras, its message as given and the argument first in data (server/prompts.mdx)', () => {
    const error = new InvalidArgument('focus', 'Invalid focus: "x". Use "severity" or "patterns".', { allowed: ['severity', 'patterns'], received: 'x' });
    for (const era of ['legacy', 'modern'] as const) {
      const wire = wireErrorFor(error, era).toJson();
      assert.deepEqual(wire, { code: -32602, message: error.message, data: { argument: 'focus', allowed: ['severity', 'patterns'], received: 'x' } });
      assert.deepEqual(Object.keys(wire.data as object), ['argument', 'allowed', 'received']);
      assertSchema('Error', wire);
    }
  });
});
