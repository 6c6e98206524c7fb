/**
 * Cursor pagination for the list methods (MCP 2025-11-25 server/utilities/pagination.mdx): the
 * server picks the page size, cursors are opaque strings, a missing `nextCursor` ends the list,
 * and an invalid cursor gets -32602. Cursors encode a position in a list whose order is stable
 * (registration order, then ids ascending), so they stay valid across requests. Also the one
 * recipe for a `…/list` method over a list fixed at start-up (tools, prompts, templates).
 */
import { cursorCodec } from '../cursor.ts';
import type { JsonObject } from './definitions.ts';
import { invalidParams } from './errors.ts';
import { constantResult } from './messages.ts';
import { CONSTANT_CACHE } from './modern-result.ts';
import { BOTH_ERAS, defineMethod, noScopes, type MethodDescriptor, type RegisteredMethod } from './method.ts';
import { paramsSchema } from './params-schema.ts';

/** Items per page of every list method (pagination.mdx: the server chooses). */
export const PAGE_SIZE = 100;
/** Offsets a cursor can carry: 0 to 999 999 999. */
export const MAX_OFFSET = 999_999_999;

/** schema.ts PaginatedRequestParams: an optional opaque `cursor`. */
export const LIST_PARAMS = paramsSchema({ type: 'object', properties: { cursor: { type: 'string' } } });

const OFFSETS = cursorCodec<number>({
  prefix: 'p1:',
  write(offset) {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new TypeError(`A cursor offset must be an integer from 0 to ${MAX_OFFSET}, got ${offset}`);
    return String(offset);
  },
  // Exactly what write gives: no sign, fraction, exponent, leading zero or padding.
  read: (digits) => (/^(0|[1-9]\d{0,8})$/.test(digits) ? Number(digits) : undefined),
});

/** The cursor for `offset`; TypeError for an offset no cursor can carry (caller misuse). */
export function encodeCursor(offset: number): string {
  return OFFSETS.encode(offset);
}

/** The offset in a cursor made by encodeCursor, or 'invalid' for any other string. Never throws. */
export function parseCursor(cursor: string): number | 'invalid' {
  return OFFSETS.decode(cursor) ?? 'invalid';
}

/** Reads a cursor made by encodeCursor (absent: the first page); anything else is -32602 (pagination.mdx). */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = parseCursor(cursor);
  if (offset === 'invalid') throw invalidParams('Invalid cursor', { field: '/cursor' });
  return offset;
}

/** A list result: `{[name]: page, nextCursor?}` (pagination.mdx: no nextCursor on the last page). */
export function listResult(name: string, items: readonly unknown[], cursor: string | undefined, pageSize = PAGE_SIZE): { [key: string]: unknown } {
  const { page, nextCursor } = paginate(items, cursor, pageSize);
  return nextCursor === undefined ? { [name]: page } : { [name]: page, nextCursor };
}

/** One page of `items` starting at `cursor`, with the cursor of the next page when there is one. */
export function paginate<T>(items: readonly T[], cursor: string | undefined, pageSize: number): { page: T[]; nextCursor?: string } {
  const start = decodeCursor(cursor);
  if (start > items.length) throw invalidParams('Invalid cursor', { field: '/cursor' });
  const end = start + pageSize;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextCursor: encodeCursor(end) } : { page };
}

/**
 * The `method` that lists `items` (fixed at start-up) under `name`, e.g. `tools/list` → `tools`,
 * implying `capability`. Lists need no scope and spend no rate budget, in both eras. The first
 * page, asked for on every connect, is one constant encoded once (STYLE principle 11).
 */
export function constantListMethod(method: string, name: string, items: readonly unknown[], capability: NonNullable<MethodDescriptor<JsonObject>['capability']>): RegisteredMethod {
  const firstPage = constantResult(listResult(name, items, undefined));
  return defineMethod({
    method,
    params: LIST_PARAMS,
    scopes: noScopes,
    rateLimit: 'none',
    eras: BOTH_ERAS,
    capability,
    cache: CONSTANT_CACHE,
    handler: (params) => (params.cursor === undefined ? firstPage : listResult(name, items, params.cursor)),
  });
}
