/**
 * The domain-error catalogue: what a feature (or a protocol handler) throws when a request cannot
 * be served for a reason about the data, not the wire: a class per failure with a stable `code`,
 * carrying facts only. No JSON-RPC code appears here; protocol/wire-errors.ts maps each class to
 * a wire error for the request's era, in one table. Anything else a feature throws is an internal
 * error (-32603, cause logged). ToolError (definitions.ts) is apart: it becomes a tool result.
 */

/** Base of the catalogue; the wire mapping is exhaustive over its subclasses. */
export abstract class DomainError extends Error {
  abstract readonly code: `ERR_${string}`;
}

/** What kind of thing was not found; the wire answer depends on it. */
export type NotFoundKind = 'resource';

/** The thing a request names does not exist (MCP server/resources.mdx "Error Handling"). */
export class NotFound extends DomainError {
  readonly code = 'ERR_NOT_FOUND';
  readonly kind: NotFoundKind;
  /** The name the request used for it, e.g. the resource URI. */
  readonly key: string;

  constructor(kind: NotFoundKind, key: string) {
    super(`${kind} not found: ${key}`);
    this.name = 'NotFound';
    this.kind = kind;
    this.key = key;
  }
}

/**
 * An argument's value cannot be used (MCP server/prompts.mdx "Error Handling": invalid
 * arguments). `message` is for the caller and may name the value; `details` (allowed values,
 * what was received) are sent beside the argument's name.
 */
export class InvalidArgument extends DomainError {
  readonly code = 'ERR_INVALID_ARGUMENT';
  readonly argument: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(argument: string, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.name = 'InvalidArgument';
    this.argument = argument;
    this.details = details;
  }
}

/** What part is unavailable; the wire message depends on it. */
export type UnavailableKind = 'store';

/**
 * A part the request needs cannot be reached for now (the incident store's database): nothing
 * was done, and the request may be retried after `retryAfterSeconds`. The cause stays with the
 * part that failed; this carries no message of its own for the caller.
 */
export class Unavailable extends DomainError {
  readonly code = 'ERR_UNAVAILABLE';
  readonly kind: UnavailableKind;
  readonly retryAfterSeconds: number;

  constructor(kind: UnavailableKind, retryAfterSeconds: number) {
    super(`${kind} unavailable; retry after ${retryAfterSeconds} s`);
    this.name = 'Unavailable';
    this.kind = kind;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Every class of the catalogue, for the exhaustive mapping. */
export type KnownDomainError = NotFound | InvalidArgument | Unavailable;

export function isKnownDomainError(error: unknown): error is KnownDomainError {
  return error instanceof NotFound || error instanceof InvalidArgument || error instanceof Unavailable;
}
