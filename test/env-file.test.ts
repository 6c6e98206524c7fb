/**
 * Tests of src/env-file.ts: `.env` values come from Node's own parser (util.parseEnv, the grammar
 * of `node --env-file`); this module only adds the warnings that parser does not give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, parseEnvFile } from '../src/env-file.ts';

const KNOWN = ['PORT', 'HOST', 'OKTA_DOMAIN', 'OKTA_AUDIENCE', 'OKTA_ISSUER', 'LOG_LEVEL', 'A', 'B', 'C', 'D', 'E', 'F', 'URL', 'EMPTY'];

test('.env syntax: KEY=value lines, # comments, blank lines, export prefix, CRLF line ends', () => {
  const text = '# comment\r\n\r\nA=1\r\nexport B=two\r\n  C = spaced  \r\n#D=hidden\r\n';
  assert.deepEqual(parseEnvFile(text, KNOWN), { values: { A: '1', B: 'two', C: 'spaced' }, warnings: [] });
});

test('.env syntax: the first = splits, so values may contain =', () => {
  assert.deepEqual({ ...parseEnvFile('URL=https://h/p?a=b&c=d\nEMPTY=\n', KNOWN).values }, { URL: 'https://h/p?a=b&c=d', EMPTY: '' });
});

test('.env syntax: quotes are removed and keep # and spaces; a quoted value may be followed by a comment', () => {
  const text = `A="x # not a comment"\nB='  y  '\nC=plain # trailing comment\nOKTA_AUDIENCE="api://default" # from the Okta console\n`;
  assert.deepEqual(parseEnvFile(text, KNOWN), { values: { A: 'x # not a comment', B: '  y  ', C: 'plain', OKTA_AUDIENCE: 'api://default' }, warnings: [] });
});

test('.env syntax: a double-quoted value may span lines; its inner lines are not read as settings', () => {
  const { values, warnings } = parseEnvFile('A="line one\nnot a pair\nNOPE=x"\nB=2\n', KNOWN);
  assert.deepEqual({ ...values }, { A: 'line one\nnot a pair\nNOPE=x', B: '2' });
  assert.deepEqual(warnings, []);
});

test('a line that is not KEY=value is named, with what to do (Node ignores it silently)', () => {
  const { values, warnings } = parseEnvFile('A=1\nnot a pair\n=nokey\n', KNOWN);
  assert.deepEqual({ ...values }, { A: '1' });
  assert.deepEqual(warnings, [
    '.env line 2 is not KEY=value and is ignored; fix it or start it with # to mark a comment.',
    '.env line 3 is not KEY=value and is ignored; fix it or start it with # to mark a comment.',
  ]);
});

test('an unquoted # inside a value cuts it there (Node\'s grammar); the warning says to quote it', () => {
  const { values, warnings } = parseEnvFile('D=a#b\n', KNOWN);
  assert.equal(values.D, 'a');
  assert.deepEqual(warnings, ['.env line 1: the value of D is cut at "#" (an unquoted # starts a comment); quote the value if the # belongs to it.']);
});

test('a misspelt key is named with the closest setting; a far one is only called unknown', () => {
  const { warnings } = parseEnvFile('OKTA_DOMIAN=x\nokta_audience=y\nPROT=1\nDATABASE_PASSWORD=z\n', KNOWN);
  assert.deepEqual(warnings, [
    '.env line 1: OKTA_DOMIAN is not a setting of this server and is ignored; did you mean OKTA_DOMAIN?',
    '.env line 2: okta_audience is not a setting of this server and is ignored; did you mean OKTA_AUDIENCE?',
    '.env line 3: PROT is not a setting of this server and is ignored; did you mean PORT?',
    '.env line 4: DATABASE_PASSWORD is not a setting of this server and is ignored.',
  ]);
});

test('editDistance counts insertions, deletions, substitutions and adjacent swaps', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('PORT', 'PORT'), 0);
  assert.equal(editDistance('PROT', 'PORT'), 1);
  assert.equal(editDistance('HOS', 'HOST'), 1);
  assert.equal(editDistance('HOSTS', 'HOST'), 1);
  assert.equal(editDistance('POST', 'PORT'), 1);
  assert.equal(editDistance('abc', ''), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});
