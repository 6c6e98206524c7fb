/**
 * Table tests of media-type parsing (RFC 9110 §8.3.1, §5.6.6), Accept negotiation (§12.5.1)
 * and the JSON Content-Type check used on POST (MCP 2025-11-25 basic/transports, RFC 8259).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsMediaType, isJsonContentType, parseMediaType } from '../../src/transport/media-type.ts';

const JSON_TYPE = 'application/json';
const SSE_TYPE = 'text/event-stream';

// [Accept value, accepts application/json, accepts text/event-stream, why]
const acceptTable: Array<[string | undefined, boolean, boolean, string]> = [
  [undefined, true, true, 'RFC 9110 §12.5.1: no Accept header accepts any media type'],
  ['', false, false, 'RFC 9110 §12.5.1: a present but empty list names nothing acceptable'],
  ['application/json, text/event-stream', true, true, 'MCP basic/transports: the client lists both'],
  ['text/event-stream, application/json', true, true, 'order does not matter without weights'],
  ['application/json', true, false, 'only JSON'],
  ['text/event-stream', false, true, 'only SSE'],
  ['*/*', true, true, 'RFC 9110 §12.5.1: "*/*" indicates all media types'],
  ['application/*', true, false, 'RFC 9110 §12.5.1: "type/*" indicates all subtypes of that type'],
  ['text/*;q=0.5', false, true, 'a subtype wildcard with a weight'],
  ['*/*;q=0.1', true, true, 'a low but non-zero weight is still acceptable'],
  ['application/json;q=0, */*', false, true, 'RFC 9110 §12.5.1: the most specific range has precedence, q=0 refuses'],
  ['*/*, application/json;q=0', false, true, 'precedence does not depend on order'],
  ['application/*;q=0, application/json', true, false, 'an exact type beats a refused wildcard'],
  ['application/json;q=0', false, false, 'RFC 9110 §12.4.2: a value of 0 means "not acceptable"'],
  ['application/json;q=0.000', false, false, 'q=0.000 is zero'],
  ['application/json;q=0.001', true, false, 'RFC 9110 §12.4.2: 0.001 is the least preferred'],
  ['application/json;q=1.000', true, false, 'q=1.000 is the maximum'],
  ['application/json;Q=0', false, false, 'parameter names are case-insensitive, so Q is the weight'],
  ['application/json;q=2', false, false, 'RFC 9110 §12.4.2: a qvalue above 1 is malformed and skipped'],
  ['application/json;q=0.5.5, text/event-stream', false, true, 'a malformed weight skips only its element'],
  ['application/json;q=1.5', false, false, 'qvalue "1" allows only zeros after the point'],
  ['application/json;q=0.1234', false, false, 'qvalue allows three decimals at most'],
  ['APPLICATION/JSON, Text/Event-Stream', true, true, 'RFC 9110 §8.3.1: type and subtype are case-insensitive'],
  ['  application/json ,\ttext/event-stream  ', true, true, 'OWS around elements is tolerated'],
  ['application/json ; q=0.5 ; charset=utf-8', true, false, 'OWS around ";" is allowed by parameters'],
  [',,application/json,,', true, false, 'RFC 9110 §5.6.1: empty list elements are ignored'],
  ['application/jsonx', false, false, 'a longer subtype is a different type, not a substring match'],
  ['application/json-seq, text/event-streams', false, false, 'no prefix matching'],
  ['application/vnd.api+json', false, false, 'a +json suffix is not application/json'],
  ['xapplication/json', false, false, 'no suffix matching either'],
  ['text/plain;x="a, application/json", text/event-stream', false, true, 'a comma inside a quoted string does not split the list'],
  ['text/plain;x="a\\", application/json"', false, false, 'an escaped quote does not end the quoted string'],
  ['application/json;x="a,b";q=0.5', true, false, 'a quoted comma before the weight'],
  ['*/json, text/event-stream', false, true, 'RFC 9110 §12.5.1: "*/subtype" is not a media range'],
  ['application/json;q =0.5, text/event-stream', false, true, 'RFC 9110 §5.6.6: no whitespace around "="'],
  ['application/json garbage, text/event-stream', false, true, 'junk after a range makes that element malformed'],
  ['application, text/event-stream', false, true, 'a type without subtype is malformed'],
  ['application/json;q=0.5;charset="utf-8"', true, false, 'a range parameter other than q does not restrict the match'],
];

for (const [accept, json, sse, why] of acceptTable) {
  test(`acceptsMediaType(${JSON.stringify(accept)}): ${why}`, () => {
    assert.equal(acceptsMediaType(accept, JSON_TYPE), json, JSON_TYPE);
    assert.equal(acceptsMediaType(accept, SSE_TYPE), sse, SSE_TYPE);
  });
}

test('acceptsMediaType rejects a candidate that is not type/subtype as caller misuse (TypeError)', () => {
  assert.throws(() => acceptsMediaType('*/*', 'application'), TypeError);
  assert.throws(() => acceptsMediaType('*/*', '/json'), TypeError);
  assert.throws(() => acceptsMediaType('*/*', 'application/'), TypeError);
});

// [Content-Type value, is JSON, why]
const contentTypeTable: Array<[string | undefined, boolean, string]> = [
  [undefined, false, 'an absent Content-Type is not JSON'],
  ['', false, 'an empty Content-Type is not a media type'],
  ['application/json', true, 'RFC 8259 §11: the JSON media type'],
  ['Application/JSON', true, 'RFC 9110 §8.3.1: type and subtype are case-insensitive'],
  ['application/json; charset=utf-8', true, 'a utf-8 charset is harmless (RFC 8259 §11)'],
  ['application/json;charset=UTF-8', true, 'charset values are case-insensitive'],
  ['application/json; charset="utf-8"', true, 'RFC 9110 §5.6.6: quoted and token values are equivalent'],
  ['application/json; CHARSET=utf-8', true, 'parameter names are case-insensitive'],
  ['  application/json  ', true, 'surrounding OWS is tolerated'],
  ['application/json; foo=bar', true, 'other parameters are allowed'],
  ['application/json;', true, 'RFC 9110 §5.6.6: a trailing ";" with no parameter is allowed'],
  ['application/json; charset=latin1', false, 'RFC 8259 §8.1: JSON on the wire is UTF-8'],
  ['application/json; charset=utf8', false, 'only the registered name "utf-8"'],
  ['application/json; charset=utf-8; charset=latin1', false, 'a repeated parameter is ambiguous'],
  ['application/jsonx', false, 'a longer subtype is another type'],
  ['application/json-patch+json', false, 'a +json type is not application/json'],
  ['text/json', false, 'text/json is not the registered type'],
  ['application/json, text/plain', false, 'Content-Type holds one media type, not a list'],
  ['application/json; charset', false, 'a parameter needs "="'],
  ['application/json; charset=', false, 'a parameter needs a value'],
  ['application/json; charset = utf-8', false, 'RFC 9110 §5.6.6: no whitespace around "="'],
  ['application/json; x="unterminated', false, 'an unterminated quoted string is malformed'],
  ['application /json', false, 'no whitespace between type and "/"'],
];

for (const [value, json, why] of contentTypeTable) {
  test(`isJsonContentType(${JSON.stringify(value)}) is ${json}: ${why}`, () => {
    assert.equal(isJsonContentType(value), json);
  });
}

test('RFC 9110 §5.6.4: parseMediaType lower-cases names and unescapes quoted-pair in values', () => {
  const parsed = parseMediaType('Multipart/Form-Data; Boundary="a \\"b\\" ;,c"; Q=1');
  assert.deepEqual(parsed, {
    type: 'multipart',
    subtype: 'form-data',
    params: new Map([
      ['boundary', 'a "b" ;,c'],
      ['q', '1'],
    ]),
  });
});

test('RFC 9110 §5.6.4: a control character in a quoted string is malformed', () => {
  assert.equal(parseMediaType('text/plain; x="a\u0001b"'), undefined);
  assert.equal(parseMediaType('text/plain; x="a\u007fb"'), undefined);
});

test('RFC 9110 §5.6.4: obs-text (bytes 0x80-0xFF as Node decodes headers) is allowed in a quoted string', () => {
  assert.equal(parseMediaType('text/plain; x="caf\u00e9"')?.params.get('x'), 'caf\u00e9');
});
