/**
 * Domain errors on the wire: the one place that turns each class of the catalogue
 * (domain-errors.ts) into a JSON-RPC error, with the request's era as an input. The eras differ
 * (MCP 2026-07-28 basic/index.mdx "Error Codes": a modern server MUST NOT emit -32002, which the
 * legacy path keeps), so each failure has a code per era, side by side in one table. Features
 * never choose a code; the dispatcher calls this for whatever domain error a handler throws.
 */
import type { KnownDomainError, NotFoundKind, UnavailableKind } from './domain-errors.ts';
import { ErrorCode, ProtocolError, type ErrorCodeValue } from './errors.ts';
import type { Era } from './versions.ts';

/** The JSON-RPC code of each domain failure: one column per era. */
export const DOMAIN_ERROR_CODES: { readonly [C in KnownDomainError['code']]: Readonly<Record<Era, ErrorCodeValue>> } = {
  // Legacy: MCP 2025-11-25 server/resources.mdx "Error Handling", -32002. Modern: 2026-07-28 resources.mdx, -32602.
  ERR_NOT_FOUND: { legacy: ErrorCode.ResourceNotFound, modern: ErrorCode.InvalidParams },
  // Both: server/prompts.mdx "Error Handling", invalid arguments are -32602.
  ERR_INVALID_ARGUMENT: { legacy: ErrorCode.InvalidParams, modern: ErrorCode.InvalidParams },
  // Both: JSON-RPC 2.0 §5.1 internal error, the server's own failure; the transport adds HTTP 503 + Retry-After (issue 13).
  ERR_UNAVAILABLE: { legacy: ErrorCode.InternalError, modern: ErrorCode.InternalError },
};

/**
 * The fixed message of each unavailable part (never a driver's text); transport/refusal.ts
 * answers an error with this code, message and a numeric `data.retryAfter` with 503.
 */
export const UNAVAILABLE_MESSAGES: { readonly [K in UnavailableKind]: string } = {
  store: 'The incident store is unavailable; try again shortly',
};

/** Message and the `data` member naming what was not found, per kind (the same in both eras). */
const NOT_FOUND: { readonly [K in NotFoundKind]: { readonly message: string; readonly dataKey: string } } = {
  // server/resources.mdx "Error Handling" example (both eras): data {uri}.
  resource: { message: 'Resource not found', dataKey: 'uri' },
};

/** The wire error for `error` on a request of `era`. */
export function wireErrorFor(error: KnownDomainError, era: Era): ProtocolError {
  const code = DOMAIN_ERROR_CODES[error.code][era];
  switch (error.code) {
    case 'ERR_NOT_FOUND': {
      const { message, dataKey } = NOT_FOUND[error.kind];
      return new ProtocolError(code, message, { [dataKey]: error.key });
    }
    case 'ERR_INVALID_ARGUMENT':
      return new ProtocolError(code, error.message, { argument: error.argument, ...error.details });
    case 'ERR_UNAVAILABLE':
      return new ProtocolError(code, UNAVAILABLE_MESSAGES[error.kind], { retryAfter: error.retryAfterSeconds });
  }
}
