/**
 * Cursor pagination for the list methods (MCP 2025-11-25 server/utilities/pagination.mdx): the
 * server picks the page size, cursors are opaque strings, a missing `nextCursor` ends the list,
 * and an invalid cursor gets -32602. Cursors encode a position in a list whose order is stable
 * (registration order, then ids ascending), so they stay valid across requests.
 */
import { invalidParams } from './errors.ts';

const PREFIX = 'p1:';
/** Offsets a cursor can carry: 0 to 999 999 999. */
export const MAX_OFFSET = 999_999_999;

/** The cursor for `offset`; TypeError for an offset no cursor can carry (caller misuse). */
export function encodeCursor(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new TypeError(`A cursor offset must be an integer from 0 to ${MAX_OFFSET}, got ${offset}`);
  return Buffer.from(`${PREFIX}${offset}`, 'utf8').toString('base64url');
}

/** The offset in a cursor made by encodeCursor, or 'invalid' for any other string. Never throws. */
export function parseCursor(cursor: string): number | 'invalid' {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const digits = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : '';
  // Exactly what encodeCursor writes: no sign, fraction, exponent, leading zero or padding.
  return /^(0|[1-9]\d{0,8})$/.test(digits) && encodeCursor(Number(digits)) === cursor ? Number(digits) : 'invalid';
}

/** Reads a cursor made by encodeCursor (absent: the first page); anything else is -32602 (pagination.mdx). */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = parseCursor(cursor);
  if (offset === 'invalid') throw invalidParams('Invalid cursor', { field: '/cursor' });
  return offset;
}

/** A list result: `{[name]: page, nextCursor?}` (pagination.mdx: no nextCursor on the last page). */
export function listResult(name: string, items: readonly unknown[], cursor: unknown, pageSize: number): { [key: string]: unknown } {
  const { page, nextCursor } = paginate(items, cursor as string | undefined, pageSize);
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
