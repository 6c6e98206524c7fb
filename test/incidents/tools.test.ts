/**
 * Tests for src/incidents/tools.ts and tool-schemas.ts: the tool descriptions (names, schemas,
 * annotations, scopes), what the input schemas accept under Ajv 2020 as the core configures it,
 * and each tool's results and ToolErrors, against a real store in a temporary directory.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { CallToolResult, JsonObject, ToolDefinition } from '../../src/protocol/definitions.ts';
import { ToolError } from '../../src/protocol/definitions.ts';
import { journalPathFor } from '../../src/incidents/journal.ts';
import type { IncidentStore } from '../../src/incidents/store.ts';
import { incidentTools } from '../../src/incidents/tools.ts';
import { featureContext, fixedClock, openTempStore, principal } from './helpers.ts';

// The core's settings (STYLE principle 7): no coercion, no defaults applied, first error only.
const ajv = new Ajv2020({ coerceTypes: false, useDefaults: false, allErrors: false });

function toolsOf(store: IncidentStore): Map<string, ToolDefinition> {
  return new Map(incidentTools(store).map((tool) => [tool.name, tool]));
}

function tool(tools: Map<string, ToolDefinition>, name: string): ToolDefinition {
  const found = tools.get(name);
  assert.ok(found, name);
  return found;
}

/** Calls the tool and checks the result against its outputSchema and the one-text-block shape. */
async function call(definition: ToolDefinition, args: JsonObject, context = featureContext()): Promise<CallToolResult> {
  assert.equal(ajv.validate(definition.inputSchema, args), true, ajv.errorsText());
  const result = await definition.call(args, context);
  // MCP 2025-11-25 server/tools.mdx: structured results MUST conform to the outputSchema.
  assert.equal(ajv.validate(definition.outputSchema ?? {}, result.structuredContent), true, ajv.errorsText());
  assert.equal(result.content.length, 1);
  assert.equal(result.content[0]?.type, 'text');
  return result;
}

function text(result: CallToolResult): string {
  const block = result.content[0];
  return block?.type === 'text' ? block.text : '';
}

describe('incident tool definitions', () => {
  test('the three tools have safe names, titles, descriptions and the scopes they need', async (t) => {
    const { store } = await openTempStore(t);
    const tools = toolsOf(store);
    assert.deepEqual([...tools.keys()], ['create_incident', 'list_incidents', 'update_incident']);
    for (const definition of tools.values()) {
      // MCP 2025-11-25 server/tools.mdx "Tool Names": letters, digits, _ - . only.
      assert.match(definition.name, /^[a-zA-Z0-9_-]{1,64}$/);
      assert.ok(definition.title && definition.description.length > 40, definition.name);
    }
    assert.deepEqual(tool(tools, 'create_incident').requiredScopes, ['incidents:write']);
    assert.deepEqual(tool(tools, 'update_incident').requiredScopes, ['incidents:write']);
    assert.deepEqual(tool(tools, 'list_incidents').requiredScopes, ['incidents:read']);
  });

  test('annotations say what each tool does to the world (schema.ts ToolAnnotations)', async (t) => {
    const tools = toolsOf((await openTempStore(t)).store);
    assert.deepEqual(tool(tools, 'create_incident').annotations,
      { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false });
    assert.deepEqual(tool(tools, 'update_incident').annotations,
      { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false });
    assert.deepEqual(tool(tools, 'list_incidents').annotations, { readOnlyHint: true, openWorldHint: false });
  });

  test('every schema compiles under Ajv 2020 strict mode, is a closed object, and describes each input', async (t) => {
    const tools = toolsOf((await openTempStore(t)).store);
    for (const definition of tools.values()) {
      ajv.compile(definition.inputSchema);
      ajv.compile(definition.outputSchema ?? {});
      // MCP 2025-11-25 schema.ts Tool: inputSchema and outputSchema have "type": "object" at the root.
      assert.equal(definition.inputSchema['type'], 'object');
      assert.equal(definition.outputSchema?.['type'], 'object');
      assert.equal(definition.inputSchema['additionalProperties'], false);
      for (const [name, property] of Object.entries(definition.inputSchema['properties'] as Record<string, JsonObject>)) {
        assert.equal(typeof property['description'], 'string', `${definition.name}.${name}`);
      }
    }
  });

  const rejected: [string, JsonObject][] = [
    ['create_incident', {}],
    ['create_incident', { title: '' }],
    ['create_incident', { title: 'x'.repeat(201) }],
    ['create_incident', { title: 'two\nlines' }],
    ['create_incident', { title: 'ok', severity: 'urgent' }],
    ['create_incident', { title: 'ok', description: 'x'.repeat(5001) }],
    ['create_incident', { title: 'ok', owner: 'bob' }],
    ['list_incidents', { limit: 0 }],
    ['list_incidents', { limit: 201 }],
    ['list_incidents', { limit: 1.5 }],
    ['list_incidents', { limit: '10' }],
    ['list_incidents', { status: 'closed' }],
    ['update_incident', { status: 'resolved' }],
    ['update_incident', { id: 5, status: 'resolved' }],
    ['update_incident', { id: '05', status: 'resolved' }],
  ];
  for (const [name, args] of rejected) {
    test(`${name} input schema rejects ${JSON.stringify(args).slice(0, 60)}`, async (t) => {
      const tools = toolsOf((await openTempStore(t)).store);
      assert.equal(ajv.validate(tool(tools, name).inputSchema, args), false);
    });
  }
});

describe('create_incident', () => {
  test('creates with the default severity and status and reports it in one line', async (t) => {
    const { store } = await openTempStore(t, { now: fixedClock });
    const result = await call(tool(toolsOf(store), 'create_incident'), { title: '  Disk full  ' });
    assert.equal(text(result), 'Created incident #5 "Disk full" (medium, open).');
    assert.deepEqual(result.structuredContent, {
      incident: {
        id: '5', title: 'Disk full', severity: 'medium', status: 'open',
        createdAt: '2025-11-25T12:00:00.000Z', updatedAt: '2025-11-25T12:00:00.000Z', createdBy: '0oa-test-client',
      },
    });
    assert.equal(result.isError, undefined);
    assert.equal(store.get('5')?.title, 'Disk full');
  });

  test('records the token subject as creator when the token has no client id', async (t) => {
    const { store } = await openTempStore(t);
    const context = featureContext({ ...principal, clientId: undefined });
    const result = await call(tool(toolsOf(store), 'create_incident'),
      { title: 'Disk full', severity: 'high', status: 'investigating', description: 'db-2 /var' }, context);
    assert.deepEqual(result.structuredContent?.['incident'], store.get('5'));
    assert.equal(store.get('5')?.createdBy, 'alice@example.com');
    assert.equal(text(result), 'Created incident #5 "Disk full" (high, investigating).');
  });

  test('a whitespace-only title is a tool error that names title (server/tools.mdx: input validation)', async (t) => {
    const { store } = await openTempStore(t);
    const create = tool(toolsOf(store), 'create_incident');
    assert.equal(ajv.validate(create.inputSchema, { title: '   ' }), true, 'the schema alone lets it through');
    await assert.rejects(create.call({ title: '   ' }, featureContext()),
      (error: unknown) => error instanceof ToolError && /title/.test(error.message) && error.data?.['argument'] === 'title');
    assert.equal(store.all().length, 4);
  });

  test('a failed save is a tool error the model can read, without any directory in it', async (t) => {
    const { store, path } = await openTempStore(t);
    await mkdir(journalPathFor(path));
    await assert.rejects(tool(toolsOf(store), 'create_incident').call({ title: 'Disk full' }, featureContext()),
      (error: unknown) => error instanceof ToolError && /could not save incidents\.json/.test(error.message)
        && !error.message.includes('/'));
  });
});

describe('list_incidents', () => {
  test('lists newest first, one line per incident, with no cursor when everything fits', async (t) => {
    const { store } = await openTempStore(t);
    const result = await call(tool(toolsOf(store), 'list_incidents'), {});
    assert.equal(text(result), [
      '#4 "Typo on pricing page" (low, resolved)',
      '#3 "Payment webhook retries failing" (high, open)',
      '#2 "Login page slow to load" (medium, investigating)',
      '#1 "Database connection pool exhausted" (critical, open)',
    ].join('\n'));
    assert.deepEqual(Object.keys(result.structuredContent ?? {}), ['incidents']);
  });

  test('pages with limit and cursor, defaults to 50, and a page boundary survives new incidents', async (t) => {
    const { store } = await openTempStore(t);
    await Promise.all(Array.from({ length: 56 }, (_, i) => store.create({ title: `load ${i}`, severity: 'low', status: 'open' })));
    const list = tool(toolsOf(store), 'list_incidents');
    const first = await call(list, {});
    const firstPage = first.structuredContent as { incidents: { id: string }[]; nextCursor: string };
    assert.equal(firstPage.incidents.length, 50);
    assert.equal(firstPage.incidents[0]?.id, '60');
    assert.ok(text(first).endsWith(`call list_incidents again with cursor "${firstPage.nextCursor}".`));

    await store.create({ title: 'arrived between pages', severity: 'high', status: 'open' });
    const second = await call(list, { cursor: firstPage.nextCursor, limit: 200 });
    const ids = (second.structuredContent?.['incidents'] as { id: string }[]).map((incident) => incident.id);
    assert.deepEqual(ids, ['10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    assert.equal(second.structuredContent?.['nextCursor'], undefined);
  });

  test('filters by severity, status and a case-insensitive query over title and description', async (t) => {
    const { store } = await openTempStore(t);
    await store.create({ title: 'Queue backlog', severity: 'high', status: 'open', description: 'Webhook consumer lag' });
    const list = tool(toolsOf(store), 'list_incidents');
    const ids = async (args: JsonObject): Promise<string[]> =>
      ((await call(list, args)).structuredContent?.['incidents'] as { id: string }[]).map((incident) => incident.id);
    assert.deepEqual(await ids({ query: 'WEBHOOK' }), ['5', '3']);
    assert.deepEqual(await ids({ severity: 'high', status: 'open' }), ['5', '3']);
    assert.deepEqual(await ids({ status: 'resolved' }), ['4']);
    assert.equal(text(await call(list, { query: 'nothing like this' })), 'No incidents match.');
  });

  test('a cursor the server did not issue is a tool error naming cursor', async (t) => {
    const { store } = await openTempStore(t);
    for (const cursor of ['garbage', Buffer.from('before:abc').toString('base64url'), '']) {
      await assert.rejects(tool(toolsOf(store), 'list_incidents').call({ cursor }, featureContext()),
        (error: unknown) => error instanceof ToolError && error.data?.['argument'] === 'cursor', cursor);
    }
  });
});

describe('update_incident', () => {
  test('changes the given fields and reports the incident in one line', async (t) => {
    const { store } = await openTempStore(t);
    const result = await call(tool(toolsOf(store), 'update_incident'), { id: '3', status: 'investigating', severity: 'critical' });
    assert.equal(text(result), 'Updated incident #3 "Payment webhook retries failing" (critical, investigating).');
    assert.deepEqual(result.structuredContent?.['incident'], store.get('3'));
    assert.equal(store.get('3')?.status, 'investigating');
  });

  test('an unknown id is a tool error that names the id', async (t) => {
    const { store } = await openTempStore(t);
    await assert.rejects(tool(toolsOf(store), 'update_incident').call({ id: '99', status: 'resolved' }, featureContext()),
      (error: unknown) => error instanceof ToolError && error.message.includes('"99"'));
  });

  test('an update with no field to change is a tool error', async (t) => {
    const { store } = await openTempStore(t);
    await assert.rejects(tool(toolsOf(store), 'update_incident').call({ id: '1' }, featureContext()),
      (error: unknown) => error instanceof ToolError && /Nothing to update/.test(error.message));
  });

  test('setting the values an incident already has is accepted and changes nothing', async (t) => {
    const { store } = await openTempStore(t);
    const before = store.get('1');
    await call(tool(toolsOf(store), 'update_incident'), { id: '1', status: 'open' });
    assert.equal(store.get('1'), before);
    assert.equal(store.writeCount, 0);
  });
});
