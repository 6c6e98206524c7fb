/**
 * Tests for src/protocol/errors.ts: the code table matches JSON-RPC 2.0 §5.1 and MCP, and a
 * ProtocolError serialises to exactly `{code, message, data?}` (schema.ts Error).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, invalidParams, ProtocolError } from '../../src/protocol/errors.ts';
import { assertSchema } from '../helpers/schema.ts';

describe('error codes (JSON-RPC 2.0 §5.1, checklist B10/B11)', () => {
  test('the table holds the five JSON-RPC codes, MCP resource-not-found (legacy) and the three codes MCP 2026-07-28 defines, nothing else', () => {
    assert.deepEqual(ErrorCode, { ParseError: -32700, InvalidRequest: -32600, MethodNotFound: -32601, InvalidParams: -32602, InternalError: -32603, ResourceNotFound: -32002, HeaderMismatch: -32020, MissingRequiredClientCapability: -32021, UnsupportedProtocolVersion: -32022 });
  });

  test('the internal error message is fixed and says nothing about the cause (STYLE principle 3)', () => {
    assert.equal(INTERNAL_ERROR_MESSAGE, 'Internal error');
  });
});

describe('ProtocolError', () => {
  test('toJson leaves data out when there is none, and is a valid schema Error', () => {
    const error = new ProtocolError(ErrorCode.MethodNotFound, 'Method not found: x');
    assert.deepEqual(error.toJson(), { code: -32601, message: 'Method not found: x' });
    assert.equal(Object.hasOwn(error.toJson(), 'data'), false);
    assertSchema('Error', error.toJson());
  });

  test('toJson keeps data when given, even null (schema.ts Error: data is free-form)', () => {
    assert.deepEqual(new ProtocolError(ErrorCode.ResourceNotFound, 'Resource not found', { uri: 'x' }).toJson(), { code: -32002, message: 'Resource not found', data: { uri: 'x' } });
    assert.deepEqual(new ProtocolError(ErrorCode.InvalidRequest, 'm', null).toJson(), { code: -32600, message: 'm', data: null });
  });

  test('it is an Error named ProtocolError, and invalidParams builds a -32602 one', () => {
    const error = invalidParams('Invalid cursor', { field: '/cursor' });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ProtocolError');
    assert.deepEqual(error.toJson(), { code: -32602, message: 'Invalid cursor', data: { field: '/cursor' } });
  });
});
