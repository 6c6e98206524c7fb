/**
 * JSON-RPC 2.0 wire types as MCP 2025-11-25 uses them (basic/index.mdx, schema.ts), and the one
 * classifier that turns a parsed body into a request, notification, response or invalid message
 * (STYLE principle 4). Past `classify`, everything is typed. Batches are invalid: MCP removed
 * them in 2025-06-18 (basic/transports.mdx). Serialising responses also lives here.
 */
import { ErrorCode, type ErrorObject } from './errors.ts';

/** schema.ts `RequestId`: a string or an integer, never null (basic/index.mdx). */
export type RequestId = string | number;

export type Params = { [key: string]: unknown };

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Params;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Params;
}

export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result: Params;
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  /** Absent when the request's id could not be read (checklist B8: `null` fails schema.json). */
  id?: RequestId;
  error: ErrorObject;
}

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type Classified =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse }
  | { kind: 'invalid'; error: ErrorObject; id?: RequestId };

function isPlainObject(value: unknown): value is Params {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** schema.ts `RequestId`: JSON Schema `integer`, so 1.5 is not an id. */
function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

function invalid(message: string, id?: RequestId): Classified {
  const error = { code: ErrorCode.InvalidRequest, message };
  return id === undefined ? { kind: 'invalid', error } : { kind: 'invalid', error, id };
}

/**
 * Classifies one parsed JSON value (JSON-RPC 2.0 §4, §5; MCP basic/index.mdx).
 * Only the fields the spec defines are read; unknown members are ignored.
 */
export function classify(value: unknown): Classified {
  // MCP 2025-11-25 basic/transports.mdx: a POST body is a single message; no batches.
  if (Array.isArray(value)) return invalid('Batch requests are not supported');
  if (!isPlainObject(value)) return invalid('A message must be a JSON object');
  const id = isRequestId(value.id) ? value.id : undefined;
  if (value.jsonrpc !== '2.0') return invalid('jsonrpc must be "2.0"', id);
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method === '') return invalid('method must be a non-empty string', id);
    if (value.params !== undefined && !isPlainObject(value.params)) return invalid('params must be an object', id);
    const base = value.params === undefined ? { jsonrpc: '2.0' as const, method: value.method } : { jsonrpc: '2.0' as const, method: value.method, params: value.params };
    if (!('id' in value)) return { kind: 'notification', message: base };
    // basic/index.mdx: a request id MUST be a string or integer, and MUST NOT be null.
    if (id === undefined) return invalid('id must be a string or an integer');
    return { kind: 'request', message: { ...base, id } };
  }
  if (id === undefined) return invalid('A response must carry the id of its request');
  if ('result' in value && !('error' in value)) {
    if (!isPlainObject(value.result)) return invalid('result must be an object', id);
    return { kind: 'response', message: { jsonrpc: '2.0', id, result: value.result } };
  }
  if ('error' in value && !('result' in value)) {
    const error = value.error;
    if (!isPlainObject(error) || !Number.isSafeInteger(error.code) || typeof error.message !== 'string') {
      return invalid('error must be an object with an integer code and a message', id);
    }
    const wireError: ErrorObject = { code: error.code as number, message: error.message };
    if (error.data !== undefined) wireError.data = error.data;
    return { kind: 'response', message: { jsonrpc: '2.0', id, error: wireError } };
  }
  return invalid('A message needs a method, or exactly one of result and error', id);
}

/** Parses body text; a syntax error becomes -32700 (JSON-RPC 2.0 §5.1) with no id. */
export function parseAndClassify(text: string): Classified {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', error: { code: ErrorCode.ParseError, message: 'Parse error: the body is not valid JSON' } };
  }
  return classify(value);
}

export function resultResponse(id: RequestId, result: Params): JsonRpcResultResponse {
  return { jsonrpc: '2.0', id, result };
}

export function errorResponse(error: ErrorObject, id?: RequestId): JsonRpcErrorResponse {
  return id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error };
}

/** A key for maps of in-flight ids: 1 and "1" are different ids. */
export function idKey(id: RequestId): string {
  return typeof id === 'number' ? `n:${id}` : `s:${id}`;
}

/** JSON text of results that never change, encoded once at start-up (STYLE principle 11). */
const preserialized = new WeakMap<object, string>();

/**
 * Marks a constant result: it is frozen, and every response carrying it splices this one JSON
 * encoding instead of encoding it again.
 */
export function constantResult<T extends Params>(result: T): T {
  preserialized.set(result, JSON.stringify(result));
  return Object.freeze(result);
}

/** True for a result made by constantResult (encoded once at start-up). */
export function isConstantResult(result: object): boolean {
  return preserialized.has(result);
}

/** The wire text of one message: one JSON.stringify, or a splice for a constant result. */
export function serializeMessage(message: JsonRpcMessage): string {
  if ('result' in message) {
    const raw = preserialized.get(message.result);
    if (raw !== undefined) return `{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":${raw}}`;
  }
  return JSON.stringify(message);
}

/** schema.ts EmptyResult: `{}`, the answer of ping, logging/setLevel and (un)subscribe. */
export const EMPTY_RESULT: Params = constantResult({});
