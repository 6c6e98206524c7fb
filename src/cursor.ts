/**
 * The one opaque-cursor codec: a cursor is base64url (RFC 4648 §5, no padding) of the UTF-8 text
 * `<prefix><payload>`, where the prefix names the kind and version of cursor and the payload is a
 * value's canonical text. Both cursor kinds use it: list offsets in protocol/pagination.ts and the
 * incident store's keyset position in incidents/store.ts. Decoding accepts exactly what encoding
 * writes (one spelling per value) and answers `undefined` for anything else, never a throw; what
 * a bad cursor means on the wire (-32602, a tool error) is the caller's business.
 */

/** Longest cursor read; longer input is refused before any decoding, so cost stays constant. */
export const MAX_CURSOR_LENGTH = 40;

// RFC 4648 §5: the URL- and filename-safe alphabet; `=` padding is never written.
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** One kind of cursor: its version prefix and how its value is written as payload text. */
export interface CursorKind<T> {
  /** Written before the payload, e.g. `p1:`; another prefix is another kind (or version). */
  readonly prefix: string;
  /** The canonical payload text of `value`; TypeError for a value no cursor may carry (caller misuse). */
  write(value: T): string;
  /** The value whose payload `text` is, or undefined. Never throws; accepts only values `write` accepts. */
  read(text: string): T | undefined;
}

export interface CursorCodec<T> {
  /** The opaque cursor for `value`; at most MAX_CURSOR_LENGTH URL-safe characters. */
  encode(value: T): string;
  /** The value in a cursor `encode` wrote, or undefined for any other string. Never throws. */
  decode(cursor: string): T | undefined;
}

function toBase64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A codec for one kind of cursor. */
export function cursorCodec<T>(kind: CursorKind<T>): CursorCodec<T> {
  return {
    encode(value) {
      const cursor = toBase64url(kind.prefix + kind.write(value));
      if (cursor.length > MAX_CURSOR_LENGTH) throw new TypeError(`A ${kind.prefix} cursor would be longer than ${MAX_CURSOR_LENGTH} characters`);
      return cursor;
    },
    decode(cursor) {
      if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return undefined;
      const text = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!text.startsWith(kind.prefix)) return undefined;
      const payload = text.slice(kind.prefix.length);
      const value = kind.read(payload);
      // Only the spelling encode writes: canonical payload, no stray bits or bytes (U+FFFD never round-trips).
      return value !== undefined && kind.write(value) === payload && toBase64url(text) === cursor ? value : undefined;
    },
  };
}
