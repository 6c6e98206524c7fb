/**
 * Property-based tests of src/protocol/uri-template.ts (issue 15; RFC 6570 level 1, MCP
 * 2025-11-25 server/resources.mdx "Resource Templates"): match inverts expand for any values,
 * match never throws and accepts only canonical expansions, compile either succeeds or throws a
 * TypeError, and matching hostile URIs takes time linear in their length.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileUriTemplate, type UriTemplateMatcher } from '../../src/protocol/uri-template.ts';

const UNRESERVED = 'ABCXYZabcxyz0189-._~';
/** Characters no expanded value holds: each one can separate two expressions. */
const SEPARATORS = '/:@,;=!$&\'()*+?#[]';

const literal = (min: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...UNRESERVED, ...SEPARATORS, '%'), minLength: min, maxLength: 6 });
/** A literal between two expressions: anything, with at least one separator somewhere in it. */
const between = fc.tuple(literal(0), fc.constantFrom(...SEPARATORS), literal(0)).map(([a, sep, b]) => a + sep + b);

/** Level-1 templates with 1 to 4 distinct variables, always compilable. */
const template = fc.tuple(literal(0), fc.array(between, { maxLength: 3 }), literal(0)).map(([head, middles, tail]) => {
  let text = `${head}{v0}`;
  middles.forEach((middle, i) => { text += `${middle}{v${i + 1}}`; });
  return text + tail;
}).map((text) => compileUriTemplate(text));

/** Any UTF-16 string, lone surrogates included. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 40 });
const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });

function valuesFor(matcher: UriTemplateMatcher): fc.Arbitrary<Record<string, string>> {
  return fc.tuple(...matcher.variables.map(() => value)).map((list) => Object.fromEntries(matcher.variables.map((name, i) => [name, list[i] as string])));
}

test('match(expand(values)) gives back exactly the values, for any non-empty Unicode values (RFC 6570 §3.2.2)', () => {
  fc.assert(fc.property(template.chain((matcher) => fc.tuple(fc.constant(matcher), valuesFor(matcher))), ([matcher, values]) => {
    assert.deepEqual(matcher.match(matcher.expand(values)), values);
  }), { numRuns: 3000 });
});

test('match never throws, and whatever it accepts is the canonical expansion of what it returns (RFC 3986 §6.2.2)', () => {
  const uri = (matcher: UriTemplateMatcher): fc.Arbitrary<string> => fc.oneof(
    utf16,
    fc.string({ unit: 'binary' }),
    // Near misses: a real expansion with a character changed, inserted or percent-encoded differently.
    fc.tuple(valuesFor(matcher), fc.nat(), fc.constantFrom('%', '%4', '%41', '%c3%a9', '%FF', '/', '?', '#', ' ', 'A', '\u2028')).map(([values, at, c]) => {
      const good = matcher.expand(values);
      const i = at % (good.length + 1);
      return good.slice(0, i) + c + good.slice(i);
    }),
  );
  fc.assert(fc.property(template.chain((matcher) => fc.tuple(fc.constant(matcher), uri(matcher))), ([matcher, candidate]) => {
    const values = matcher.match(candidate);
    if (values === undefined) return;
    assert.deepEqual(Object.keys(values), [...matcher.variables]);
    for (const v of Object.values(values)) assert.notEqual(v, '');
    assert.equal(matcher.expand(values), candidate);
  }), { numRuns: 3000 });
});

test('compileUriTemplate of any string either compiles or throws a TypeError, never another error', () => {
  const text = fc.oneof(utf16, fc.string({ unit: fc.constantFrom('{', '}', 'a', '1', '-', '/', ':', '.', '%', '+', '*', ',') , maxLength: 16 }));
  fc.assert(fc.property(text, (candidate) => {
    try {
      compileUriTemplate(candidate);
    } catch (error) {
      assert.ok(error instanceof TypeError, String(error));
    }
  }), { numRuns: 3000 });
});

test('matching a hostile 20 000-character URI takes linear time: no backtracking blow-up, whatever the template', () => {
  fc.assert(fc.property(template, fc.nat(), (matcher, seed) => {
    // Repeat every literal character and value character, then spoil the end, so every split is tried.
    const alphabet = [...new Set(matcher.template.replace(/\{v\d\}/g, 'a%41'))].join('');
    const rotated = alphabet.slice(seed % alphabet.length) + alphabet.slice(0, seed % alphabet.length);
    const hostile = `${matcher.template.slice(0, matcher.template.indexOf('{'))}${rotated.repeat(Math.ceil(20_000 / rotated.length))}\u0000`;
    // The fastest of three: a shared machine only ever slows a run down (a GC pause is not the matcher).
    let elapsed = Infinity;
    for (let run = 0; run < 3 && elapsed >= 250; run++) {
      const started = performance.now();
      matcher.match(hostile);
      elapsed = Math.min(elapsed, performance.now() - started);
    }
    assert.ok(elapsed < 250, `${elapsed.toFixed(1)} ms for ${JSON.stringify(matcher.template)}`);
  }), { numRuns: 200 });
});
