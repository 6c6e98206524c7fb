/**
 * Wire errors: the JSON-RPC error codes this server sends and the one error class that carries
 * them. Everything thrown as a ProtocolError reaches the client as `{code, message, data?}`;
 * anything else thrown by a handler is an internal error whose cause is logged, never sent.
 * This module owns the code table; it does not decide HTTP statuses (see transport/refusal.ts).
 */

/** JSON-RPC 2.0 §5.1 and MCP 2025-11-25 schema.ts; each code's source is beside it. */
export const ErrorCode = {
  /** JSON-RPC 2.0 §5.1: invalid JSON was received. */
  ParseError: -32700,
  /** JSON-RPC 2.0 §5.1: the JSON sent is not a valid Request object. */
  InvalidRequest: -32600,
  /** JSON-RPC 2.0 §5.1; MCP server/utilities/completion.mdx uses it for an unsupported capability. */
  MethodNotFound: -32601,
  /** JSON-RPC 2.0 §5.1; MCP uses it for unknown tools, prompts, cursors and log levels. */
  InvalidParams: -32602,
  /** JSON-RPC 2.0 §5.1: internal error (fixed message, cause logged only). */
  InternalError: -32603,
  /** MCP 2025-11-25 server/resources.mdx: resource not found (legacy era only: 2026-07-28 MUST NOT send it). */
  ResourceNotFound: -32002,
  /** MCP 2026-07-28 basic/index.mdx "Error Codes": HTTP headers and body disagree, or a required header is missing. */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28 basic/index.mdx: the request needs a client capability it did not declare. */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28 basic/versioning.mdx: the requested protocol version is not served. */
  UnsupportedProtocolVersion: -32022,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A JSON-RPC error object as it goes on the wire. */
export interface ErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error meant for the client: its message and data are sent as they are. */
export class ProtocolError extends Error {
  readonly code: ErrorCodeValue;
  readonly data: unknown;

  constructor(code: ErrorCodeValue, message: string, data?: unknown) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.data = data;
  }

  toJson(): ErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

/** `-32602` with the offending field named in `data`. */
export function invalidParams(message: string, data?: unknown): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, message, data);
}

/** The fixed message for every unexpected failure (STYLE principle 3). */
export const INTERNAL_ERROR_MESSAGE = 'Internal error';
