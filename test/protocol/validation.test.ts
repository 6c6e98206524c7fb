/**
 * Tests for src/protocol/validation.ts: one readable problem per failure (field as a JSON Pointer,
 * message naming what is wrong), for the keywords clients trip over most, and the Ajv settings
 * STYLE principle 7 asks for: no coercion, no defaults, no removal, the first error only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Ajv2020Module from 'ajv/dist/2020.js';
import { conformanceFeatures } from '../../fixtures/conformance/fixture-server.ts';
import * as incidentSchemas from '../../src/incidents/tool-schemas.ts';
import { createProtocolCore } from '../../src/protocol/core.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { compileSchema, fieldName, SUPPORTED_DIALECT } from '../../src/protocol/validation.ts';
import { silentLogger } from '../../src/log.ts';

describe('problems, one sentence each (SEP-1303: errors a model can correct)', () => {
  const validate = compileSchema({
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string' },
      severity: { enum: ['low', 'high', 3] },
      kind: { const: 'ref/prompt' },
      nested: { type: 'object', required: ['inner'], properties: { inner: { type: 'integer' } } },
    },
    additionalProperties: false,
  });

  test('a valid value has no problem', () => {
    assert.equal(validate({ name: 'x', severity: 3, kind: 'ref/prompt', nested: { inner: 1 } }), undefined);
  });

  test('required: the missing property is the field', () => {
    assert.deepEqual(validate({}), { field: '/name', message: 'is required' });
    assert.deepEqual(validate({ name: 'x', nested: {} }), { field: '/nested/inner', message: 'is required' });
  });

  test('enum: the allowed values are listed', () => {
    assert.deepEqual(validate({ name: 'x', severity: 'urgent' }), { field: '/severity', message: 'must be one of: low, high, 3' });
  });

  test('additionalProperties: the unexpected property is the field', () => {
    assert.deepEqual(validate({ name: 'x', colour: 'red' }), { field: '/colour', message: 'is not an accepted property' });
  });

  test('const: the one allowed value is quoted as JSON', () => {
    assert.deepEqual(validate({ name: 'x', kind: 'ref/resource' }), { field: '/kind', message: 'must be "ref/prompt"' });
  });

  test('type: Ajv\'s own wording, at the root too', () => {
    assert.deepEqual(validate({ name: 5 }), { field: '/name', message: 'must be string' });
    assert.deepEqual(validate({ name: 'x', nested: { inner: 1.5 } }), { field: '/nested/inner', message: 'must be integer' });
    assert.deepEqual(validate([]), { field: '', message: 'must be object' });
  });

  test('property names with / or ~ are escaped in the field, as RFC 6901 §3 requires', () => {
    assert.deepEqual(validate({ name: 'x', 'a/b~c': 1 }), { field: '/a~1b~0c', message: 'is not an accepted property' });
    const slashed = compileSchema({ type: 'object', required: ['a/b'], properties: { 'x/y': { type: 'string' } } });
    assert.deepEqual(slashed({}), { field: '/a~1b', message: 'is required' });
    assert.deepEqual(slashed({ 'a/b': 1, 'x/y': 1 }), { field: '/x~1y', message: 'must be string' });
  });

  test('only the first problem is reported (allErrors: false bounds the work)', () => {
    const problem = validate({ name: 5, severity: 'urgent', colour: 'red' });
    assert.ok(problem);
    assert.equal(typeof problem.message, 'string');
  });
});

describe('Ajv settings (STYLE principle 7)', () => {
  test('no type coercion: "1" is not an integer, 1 is not a string', () => {
    const validate = compileSchema({ type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string' } } });
    assert.deepEqual(validate({ n: '1' }), { field: '/n', message: 'must be integer' });
    assert.deepEqual(validate({ s: 1 }), { field: '/s', message: 'must be string' });
  });

  test('no defaults and no removal: the value is left exactly as it was', () => {
    const validate = compileSchema({ type: 'object', properties: { a: { type: 'string', default: 'x' } } });
    const value = { b: 1 };
    assert.equal(validate(value), undefined);
    assert.deepEqual(value, { b: 1 });
  });

  test('the dialect is JSON Schema 2020-12, named or not (basic/index.mdx)', () => {
    assert.equal(SUPPORTED_DIALECT, 'https://json-schema.org/draft/2020-12/schema');
    const validate = compileSchema({ $schema: SUPPORTED_DIALECT, type: 'array', prefixItems: [{ type: 'string' }], items: false });
    assert.equal(validate(['a']), undefined);
    assert.equal(validate(['a', 'b'])?.field, '');
  });

  test('a schema that is invalid for its dialect throws at compile time (basic/index.mdx: schemas MUST be valid)', () => {
    assert.throws(() => compileSchema({ type: 'nope' }));
    assert.throws(() => compileSchema({ type: 'object', required: 'name' }));
  });
});

describe('fieldName', () => {
  test('turns a JSON Pointer into a dotted name, and the root into the given word', () => {
    assert.equal(fieldName('/severity'), 'severity');
    assert.equal(fieldName('/a/b/0'), 'a.b.0');
    assert.equal(fieldName(''), 'value');
    assert.equal(fieldName('', 'arguments'), 'arguments');
  });
});

test('every schema the server registers is valid JSON Schema 2020-12 (basic/index.mdx: schemas MUST be valid; the server compiles them without the meta-schema check)', () => {
  const Ajv2020 = Ajv2020Module as unknown as typeof Ajv2020Module.default;
  const checker = new Ajv2020({ strict: false });
  const core = createProtocolCore(new FeatureRegistry().add(conformanceFeatures()), { name: 'n', version: '1' }, silentLogger);
  const schemas: Array<[string, unknown]> = [
    ...Object.entries(incidentSchemas),
    ...[...core.dispatcher.requestMethods()].map((d): [string, unknown] => [`params of ${d.method}`, d.params.schema]),
    ...[...core.registry.tools.values()].flatMap(({ definition: t }): Array<[string, unknown]> => [[`${t.name} input`, t.inputSchema], ...(t.outputSchema === undefined ? [] : [[`${t.name} output`, t.outputSchema] as [string, unknown]])]),
  ];
  assert.ok(schemas.length > 40);
  for (const [name, schema] of schemas) assert.equal(checker.validateSchema(schema as object), true, `${name}: ${checker.errorsText()}`);
});
