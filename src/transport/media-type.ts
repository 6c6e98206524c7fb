/**
 * Media types as RFC 9110 defines them (§8.3.1 Content-Type, §5.6.6 parameters, §12.5.1 Accept):
 * a real parser for one media type and for an Accept list, so `application/jsonx` is not JSON
 * and `application/json;q=0` refuses JSON. This module owns header parsing only; which status a
 * mismatch earns (406, 415) is decided where every rejection is mapped to its response.
 */

/** A parsed media type: type, subtype and parameter names lower-cased; values unescaped. */
export interface MediaType {
  type: string;
  subtype: string;
  params: Map<string, string>;
}

const HTAB = 0x09;
const SPACE = 0x20;
const DQUOTE = 0x22;
const COMMA = 0x2c;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
//       / DIGIT / ALPHA                                                       (RFC 9110 §5.6.2)
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )                (RFC 9110 §12.4.2)
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/** token = 1*tchar; returns the index after the token (== i when there is none). */
function token(s: string, i: number): number {
  while (i < s.length && TCHAR[s.charCodeAt(i)] === 1) i++;
  return i;
}

/** OWS = *( SP / HTAB ) (RFC 9110 §5.6.3). */
function ows(s: string, i: number): number {
  for (let c = s.charCodeAt(i); c === SPACE || c === HTAB; c = s.charCodeAt(++i));
  return i;
}

/** One parsed element and where it ended; `end` is -1 when the element is malformed. */
interface Parsed {
  value: MediaType;
  end: number;
}
const MALFORMED: Parsed = { value: { type: '', subtype: '', params: new Map() }, end: -1 };

/**
 * quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE                   (RFC 9110 §5.6.4)
 * qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
 * Returns [unescaped value, index after the closing quote] or undefined.
 */
function quoted(s: string, i: number): [string, number] | undefined {
  let value = '';
  for (let j = i + 1; j < s.length; j++) {
    let c = s.charCodeAt(j);
    if (c === DQUOTE) return [value, j + 1];
    if (c === BACKSLASH) c = s.charCodeAt(++j);
    if (!(c === HTAB || (c >= SPACE && c !== 0x7f && c <= 0xff))) return undefined;
    value += String.fromCharCode(c);
  }
  return undefined;
}

/**
 * media-type = type "/" subtype parameters                                  (RFC 9110 §8.3.1)
 * parameters = *( OWS ";" OWS [ parameter ] ); parameter = parameter-name "=" parameter-value
 * Parses from `i` to the first top-level comma or the end. "The type and subtype tokens are
 * case-insensitive"; "Parameter names are case-insensitive". A name given twice is ambiguous
 * and makes the element malformed.
 */
function mediaTypeAt(s: string, start: number): Parsed {
  let i = ows(s, start);
  const typeEnd = token(s, i);
  if (typeEnd === i || s.charCodeAt(typeEnd) !== SLASH) return MALFORMED;
  const subtypeEnd = token(s, typeEnd + 1);
  if (subtypeEnd === typeEnd + 1) return MALFORMED;
  const value: MediaType = {
    type: s.slice(i, typeEnd).toLowerCase(),
    subtype: s.slice(typeEnd + 1, subtypeEnd).toLowerCase(),
    params: new Map(),
  };
  i = ows(s, subtypeEnd);
  while (s.charCodeAt(i) === SEMICOLON) {
    i = ows(s, i + 1);
    const nameEnd = token(s, i);
    if (nameEnd === i) continue; // [ parameter ] is optional: `;;` and a trailing `;` are fine.
    // "Parameters do not allow whitespace (not even "bad" whitespace) around the "=" character."
    if (s.charCodeAt(nameEnd) !== EQUALS) return MALFORMED;
    const name = s.slice(i, nameEnd).toLowerCase();
    let text: string;
    if (s.charCodeAt(nameEnd + 1) === DQUOTE) {
      const q = quoted(s, nameEnd + 1);
      if (q === undefined) return MALFORMED;
      [text, i] = q;
    } else {
      i = token(s, nameEnd + 1);
      if (i === nameEnd + 1) return MALFORMED;
      text = s.slice(nameEnd + 1, i);
    }
    if (value.params.has(name)) return MALFORMED;
    value.params.set(name, text);
    i = ows(s, i);
  }
  return { value, end: i };
}

/**
 * Parses one media type such as a Content-Type value; undefined when absent or malformed.
 * Surrounding OWS is tolerated; quoted parameter values are returned unescaped.
 */
export function parseMediaType(value: string | undefined): MediaType | undefined {
  if (value === undefined) return undefined;
  const parsed = mediaTypeAt(value, 0);
  return parsed.end === value.length ? parsed.value : undefined;
}

/** Index just past the next comma outside a quoted-string, or the end of `s`. */
function skipElement(s: string, i: number): number {
  for (let inQuotes = false; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inQuotes && c === BACKSLASH) i++;
    else if (c === DQUOTE) inQuotes = !inQuotes;
    else if (c === COMMA && !inQuotes) return i + 1;
  }
  return i;
}

/**
 * How specifically an Accept media range names `type/subtype`: 2 for that exact type, 1 for
 * `type/*`, 0 for the full wildcard, -1 when it does not apply.
 * media-range = ( "*" "/" "*" / ( type "/" "*" ) / ( type "/" subtype ) ) parameters
 */
function specificity(range: MediaType, type: string, subtype: string): number {
  if (range.type === '*') return range.subtype === '*' ? 0 : -1;
  if (range.type !== type) return -1;
  if (range.subtype === '*') return 1;
  return range.subtype === subtype ? 2 : -1;
}

/**
 * Whether an Accept value accepts `type` (a bare lower-case `type/subtype`), per RFC 9110
 * §12.5.1. "A request without any Accept header field implies that the user agent will accept
 * any media type"; a present but empty list accepts nothing. "If more than one media range
 * applies to a given type, the most specific reference has precedence": an exact type beats
 * `type/*`, which beats the full wildcard; among equally specific ranges the highest weight
 * wins, and a weight of 0 "means not acceptable". Range parameters other than `q` do not
 * restrict the match (our representations carry none); malformed elements are skipped.
 * @throws TypeError if `type` is not `type/subtype`.
 */
export function acceptsMediaType(accept: string | undefined, type: string): boolean {
  const slash = type.indexOf('/');
  if (slash <= 0 || slash === type.length - 1) throw new TypeError('expected a type/subtype');
  if (accept === undefined) return true;
  const wantType = type.slice(0, slash);
  const wantSubtype = type.slice(slash + 1);
  let bestSpecificity = -1;
  let bestWeight = 0;
  for (let i = 0; i < accept.length; ) {
    const { value, end } = mediaTypeAt(accept, i);
    // #rule: elements are separated by OWS "," OWS; anything else before the comma is malformed.
    const wellFormed = end !== -1 && (end === accept.length || accept.charCodeAt(end) === COMMA);
    i = skipElement(accept, end === -1 ? i : end);
    if (!wellFormed) continue;
    const rank = specificity(value, wantType, wantSubtype);
    if (rank < 0 || rank < bestSpecificity) continue;
    // weight = OWS ";" OWS "q=" qvalue; "If no "q" parameter is present, the default weight is 1."
    const q = value.params.get('q');
    if (q !== undefined && !QVALUE.test(q)) continue;
    const weight = q === undefined ? 1 : Number(q);
    bestWeight = rank > bestSpecificity ? weight : Math.max(bestWeight, weight);
    bestSpecificity = rank;
  }
  return bestSpecificity >= 0 && bestWeight > 0;
}

/**
 * Whether a Content-Type names JSON: `application/json` with any parameters, where a
 * `charset`, if present, must be `utf-8` (case-insensitive). RFC 8259 §11 defines no charset
 * parameter ("Adding one really has no effect on compliant recipients") and §8.1 requires
 * UTF-8, so any other charset contradicts the body we will decode as UTF-8.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  const media = parseMediaType(contentType);
  if (media === undefined || media.type !== 'application' || media.subtype !== 'json') return false;
  const charset = media.params.get('charset');
  return charset === undefined || charset.toLowerCase() === 'utf-8';
}
