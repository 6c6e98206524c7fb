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
import type { IncidentChange, IncidentStore } from '../../src/incidents/store.ts';
import { incidentTools } from '../../src/incidents/tools.ts';
import { featureContext, fixedClock, openTempStore, principal } from './helpers.ts';

// The core's settings (STYLE principle 7): no coercion, no defaults applied, first error only.
const ajv = new Ajv2020({ coerceTypes: false, useDefaults: false, allErrors: false });

/** A token granted incidents:write only. */
const writeOnly = { ...principal, scopes: new Set(['incidents:write']) };

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
    // UAX #14 mandatory breaks beyond LF: VT, FF, CR, NEL, LS, PS (issue 15 #17).
    ['create_incident', { title: 'two\u000blines' }],
    ['create_incident', { title: 'two\u000clines' }],
    ['create_incident', { title: 'two\rlines' }],
    ['create_incident', { title: 'two\u0085lines' }],
    ['create_incident', { title: 'two\u2028lines' }],
    ['create_incident', { title: 'two\u2029lines' }],
    // Other C1 controls (CSI) and the bidi embeddings, overrides and isolates (UAX #9 §2.1–2.3).
    ['create_incident', { title: 'ansi\u009b31m' }],
    ['create_incident', { title: 'fake \u202edesolver' }],
    ['create_incident', { title: 'fake \u2066isolate\u2069' }],
    ['update_incident', { id: '1', title: 'two\u2028lines' }],
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
  test('a title may hold any other Unicode text: accents, right-to-left scripts with their marks, emoji', async (t) => {
    const create = tool(toolsOf((await openTempStore(t)).store), 'create_incident');
    for (const title of ['Ünïcödé tëxt', 'תקלה בשרת\u200f (db-2)', 'Disk 🔥 full', 'tab-free — em dash']) {
      assert.equal(ajv.validate(create.inputSchema, { title }), true, title);
    }
  });

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
        createdAt: '2025-11-25T12:00:00.000Z', updatedAt: '2025-11-25T12:00:00.000Z', createdBy: 'alice@example.com',
      },
    });
    assert.equal(result.isError, undefined);
    assert.equal(store.get('5')?.title, 'Disk full');
  });

  test('records the token subject as creator (the person of a user token), whatever client it came through', async (t) => {
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

  test('a stored title with a line terminator stays on its own line in the list text (issue 15 #17)', async (t) => {
    const { store } = await openTempStore(t, { seed: false });
    await store.create({ title: 'real\u2028#9 "forged" (critical, open)', severity: 'low', status: 'open' });
    const result = await call(tool(toolsOf(store), 'list_incidents'), {});
    assert.equal(text(result), String.raw`#1 "real\u2028#9 \"forged\" (critical, open)" (low, open)`);
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
    assert.deepEqual(result.structuredContent, { changed: true, incident: store.get('3') });
    assert.equal(store.get('3')?.status, 'investigating');
  });

  test('a caller without incidents:read gets only the id, the fields it sent (as stored) and updatedAt (issue 15 #3)', async (t) => {
    const { store } = await openTempStore(t, { now: fixedClock });
    await store.create({ title: 'Secret', severity: 'high', status: 'open', description: 'hidden' }, 'someone-else');
    const result = await call(tool(toolsOf(store), 'update_incident'),
      { id: '5', title: '  Renamed  ', status: 'resolved', description: '' }, featureContext(writeOnly));
    assert.equal(text(result), 'Updated incident #5: title "Renamed", status resolved, description removed.');
    assert.deepEqual(result.structuredContent, {
      changed: true,
      update: { id: '5', title: 'Renamed', status: 'resolved', description: '', updatedAt: '2025-11-25T12:00:00.000Z' },
    });
    assert.equal(store.get('5')?.description, undefined);
  });

  test('a caller without incidents:read changing a description is told it changed, not what the incident holds', async (t) => {
    const { store } = await openTempStore(t);
    const result = await call(tool(toolsOf(store), 'update_incident'), { id: '2', description: 'new details' }, featureContext(writeOnly));
    assert.equal(text(result), 'Updated incident #2: description changed.');
    assert.equal(JSON.stringify(result).includes('Login page'), false);
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

  test('setting the values an incident already has says nothing changed, writes nothing and notifies nobody (issue 15 #3)', async (t) => {
    const { store } = await openTempStore(t);
    const changes: IncidentChange[] = [];
    store.onChange((change) => changes.push(change));
    const before = store.get('1');
    const update = tool(toolsOf(store), 'update_incident');
    const result = await call(update, { id: '1', status: 'open' });
    assert.equal(text(result), 'Nothing changed: incident #1 "Database connection pool exhausted" (critical, open) already had the values given.');
    assert.deepEqual(result.structuredContent, { changed: false, incident: before });
    const blind = await call(update, { id: '1', severity: 'critical' }, featureContext(writeOnly));
    assert.equal(text(blind), 'Nothing changed: incident #1 already had the values given.');
    assert.deepEqual(blind.structuredContent, { changed: false, update: { id: '1', severity: 'critical' } });
    assert.equal(store.get('1'), before);
    assert.equal(store.writeCount, 0);
    assert.deepEqual(changes, []);
  });
});
