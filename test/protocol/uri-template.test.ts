/**
 * Tests for src/protocol/uri-template.ts: matching concrete URIs against RFC 6570 level-1
 * templates, percent-decoding, and refusing (TypeError) every template it cannot match exactly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileUriTemplate } from '../../src/protocol/uri-template.ts';

describe('matching (RFC 6570 §3.2.2, server/resources.mdx "Resource Templates")', () => {
  test('a variable matches one path segment and the template is kept', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    assert.equal(matcher.template, 'test://items/{id}');
    assert.deepEqual(matcher.variables, ['id']);
    assert.deepEqual(matcher.match('test://items/42'), { id: '42' });
  });

  test('values are percent-decoded', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    assert.deepEqual(matcher.match('test://items/a%20b'), { id: 'a b' });
    assert.deepEqual(matcher.match('test://items/%C3%A9t%C3%A9'), { id: 'été' });
    assert.deepEqual(matcher.match('test://items/a%2Fb'), { id: 'a/b' });
  });

  test('malformed percent-encoding matches nothing', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    for (const uri of ['test://items/%', 'test://items/%zz', 'test://items/%E0%A4%A', 'test://items/%FF']) assert.equal(matcher.match(uri), undefined, uri);
  });

  test('a value is never empty and never contains /, ? or #', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    for (const uri of ['test://items/', 'test://items/1/2', 'test://items/1?x=1', 'test://items/1#f', 'test://items']) assert.equal(matcher.match(uri), undefined, uri);
  });

  test('the literal parts must match exactly, regular-expression characters included', () => {
    const matcher = compileUriTemplate('test://a.b+c/(x)/{id}.json');
    assert.deepEqual(matcher.match('test://a.b+c/(x)/7.json'), { id: '7' });
    assert.equal(matcher.match('test://aXb+c/(x)/7.json'), undefined);
    assert.equal(matcher.match('test://a.bbc/(x)/7.json'), undefined);
    assert.equal(matcher.match('prefix-test://a.b+c/(x)/7.json'), undefined);
    assert.equal(matcher.match('test://a.b+c/(x)/7.json/more'), undefined);
  });

  test('several variables separated by literals each take their own segment', () => {
    const matcher = compileUriTemplate('test://{project}/items/{id}');
    assert.deepEqual(matcher.variables, ['project', 'id']);
    assert.deepEqual(matcher.match('test://alpha/items/9'), { project: 'alpha', id: '9' });
  });

  test('a template without variables matches only itself', () => {
    const matcher = compileUriTemplate('test://fixed');
    assert.deepEqual(matcher.match('test://fixed'), {});
    assert.equal(matcher.match('test://fixed2'), undefined);
  });
});

describe('templates it refuses with a TypeError (caller misuse)', () => {
  test('level-2 and level-3 operators: + # . / ; ? &', () => {
    for (const op of ['+', '#', '.', '/', ';', '?', '&', '=', ',', '!', '@', '|']) {
      assert.throws(() => compileUriTemplate(`test://x/{${op}id}`), TypeError, op);
    }
  });

  test('variable lists and level-4 modifiers: {a,b}, {a*}, {a:3}', () => {
    for (const template of ['test://{a,b}', 'test://{a*}', 'test://{a:3}']) assert.throws(() => compileUriTemplate(template), TypeError, template);
  });

  test('empty, unclosed and stray braces', () => {
    for (const template of ['test://{}', 'test://{id', 'test://id}', 'test://{{id}}', 'test://{ id }']) assert.throws(() => compileUriTemplate(template), TypeError, template);
  });

  test('expressions not separated by a character values never hold ({a}{b}, {a}-{b}, {a}.{b}), which no URI can split unambiguously', () => {
    for (const template of ['test://{a}{b}', 'test://{a}-{b}', 'test://{a}.~_{b}', 'test://{a}%2F{b}']) {
      assert.throws(() => compileUriTemplate(template), TypeError, template);
    }
    assert.deepEqual(compileUriTemplate('test://{a}:{b}').match('test://x-y:z'), { a: 'x-y', b: 'z' });
    assert.deepEqual(compileUriTemplate('test://{a}.x/{b}').match('test://a.x.x/b'), { a: 'a.x', b: 'b' });
  });
});

describe('expansion and canonical matching (RFC 6570 §3.2.1; RFC 3986 §6.2.2)', () => {
  test('expand percent-encodes, as UTF-8 with uppercase hex, everything but unreserved characters', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    assert.equal(matcher.expand({ id: "a b/é!*'()~._-" }), "test://items/a%20b%2F%C3%A9%21%2A%27%28%29~._-");
    assert.equal(matcher.expand({ id: '42' }), 'test://items/42');
  });

  test('expand refuses a missing value or a lone surrogate with a TypeError (caller misuse)', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    assert.throws(() => matcher.expand({}), TypeError);
    assert.throws(() => matcher.expand({ id: '\ud800' }), TypeError);
  });

  test('only the spelling expand produces matches: over-encoded, lower-case hex and raw reserved characters do not', () => {
    const matcher = compileUriTemplate('test://items/{id}');
    for (const uri of ['test://items/%41', 'test://items/%c3%a9', 'test://items/a!b', 'test://items/a b', 'test://items/1%32']) {
      assert.equal(matcher.match(uri), undefined, uri);
    }
  });
});
