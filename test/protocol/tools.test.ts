/**
 * Tests for src/protocol/tools.ts through createProtocolCore: tools/list, tools/call with valid
 * arguments, protocol errors (-32602) for an unknown tool or malformed params, tool execution
 * errors (`isError: true`, SEP-1303) for bad arguments and ToolErrors, and -32603 for crashes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createProtocolCore } from '../../src/protocol/core.ts';
import { ToolError, type JsonObject, type ToolDefinition } from '../../src/protocol/definitions.ts';
import { FeatureRegistry } from '../../src/protocol/registry.ts';
import { silentLogger } from '../../src/log.ts';
import { call, collectingSink, errorOf, openedSession, resultOf, toolText } from './helpers.ts';

const calls: JsonObject[] = [];

const setSeverity: ToolDefinition = {
  name: 'set_severity',
  title: 'Set severity',
  description: 'Sets the severity of an item.',
  inputSchema: {
    type: 'object',
    required: ['id', 'severity'],
    properties: { id: { type: 'integer' }, severity: { enum: ['low', 'high'] }, note: { type: 'string' } },
    additionalProperties: false,
  },
  outputSchema: { type: 'object', required: ['id', 'severity'], properties: { id: { type: 'integer' }, severity: { type: 'string' } } },
  annotations: { idempotentHint: true, destructiveHint: false },
  requiredScopes: ['items:write'],
  async call(args) {
    calls.push(args);
    if (args.id === 9) throw new ToolError('Item 9 is closed; reopen it first', { id: 9, status: 'closed' });
    if (args.id === 10) throw new ToolError('Item 10 is locked');
    if (args.id === 13) throw new Error('disk full at /var/lib/items');
    if (args.id === 14) return { content: [{ type: 'text', text: 'wrong shape' }], structuredContent: { id: 'fourteen' } };
    const structured = { id: args.id, severity: args.severity };
    return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
  },
};

const echo: ToolDefinition = {
  name: 'echo',
  description: 'Echoes its progress.',
  inputSchema: { type: 'object', properties: {} },
  requiredScopes: [],
  async call(_args, context) {
    context.progress(1, 1);
    return { content: [{ type: 'text', text: 'ok' }] };
  },
};

const dispatcher = createProtocolCore(new FeatureRegistry().add({ tools: [setSeverity, echo] }), { name: 's', version: '1' }, silentLogger).dispatcher;
const session = openedSession();

async function callTool(params: JsonObject) {
  return call(dispatcher, session, 'tools/call', params);
}

describe('tools/list (server/tools.mdx "Listing Tools")', () => {
  test('lists every tool with its schemas and annotations, and no nextCursor on the last page', async () => {
    const result = resultOf(await call(dispatcher, session, 'tools/list'));
    assert.deepEqual(result, {
      tools: [
        {
          name: 'set_severity',
          title: 'Set severity',
          description: 'Sets the severity of an item.',
          inputSchema: setSeverity.inputSchema,
          outputSchema: setSeverity.outputSchema,
          annotations: { idempotentHint: true, destructiveHint: false },
        },
        { name: 'echo', description: 'Echoes its progress.', inputSchema: { type: 'object', properties: {} } },
      ],
    });
  });

  test('pages of 100 with a nextCursor that leads to the rest (server/utilities/pagination.mdx)', async () => {
    const many = Array.from({ length: 130 }, (_, i): ToolDefinition => ({ ...echo, name: `tool_${i}` }));
    const big = createProtocolCore(new FeatureRegistry().add({ tools: many }), { name: 's', version: '1' }, silentLogger).dispatcher;
    const first = resultOf(await call(big, session, 'tools/list', {}));
    assert.equal((first.tools as unknown[]).length, 100);
    assert.equal(typeof first.nextCursor, 'string');
    const second = resultOf(await call(big, session, 'tools/list', { cursor: first.nextCursor }));
    assert.deepEqual((second.tools as Array<{ name: string }>).map((t) => t.name), many.slice(100).map((t) => t.name));
    assert.equal(Object.hasOwn(second, 'nextCursor'), false);
  });

  test('an invalid cursor is -32602 (pagination.mdx)', async () => {
    const error = errorOf(await call(dispatcher, session, 'tools/list', { cursor: 'garbage!' }));
    assert.deepEqual(error, { code: -32602, message: 'Invalid cursor', data: { field: '/cursor' } });
  });
});

describe('tools/call (server/tools.mdx "Calling Tools")', () => {
  test('valid arguments reach the tool and its result is returned as sent (schema.ts CallToolResult)', async () => {
    calls.length = 0;
    const result = resultOf(await callTool({ name: 'set_severity', arguments: { id: 1, severity: 'high' } }));
    assert.deepEqual(result, { content: [{ type: 'text', text: '{"id":1,"severity":"high"}' }], structuredContent: { id: 1, severity: 'high' } });
    assert.deepEqual(calls, [{ id: 1, severity: 'high' }]);
  });

  test('an unknown tool is -32602 naming /name (server/tools.mdx "Error Handling")', async () => {
    const error = errorOf(await callTool({ name: 'nope' }));
    assert.deepEqual(error, { code: -32602, message: 'Unknown tool: nope', data: { field: '/name' } });
  });

  test('a missing name or non-object arguments are -32602 (schema.ts CallToolRequestParams)', async () => {
    assert.equal(errorOf(await callTool({ arguments: {} })).code, -32602);
    assert.equal(errorOf(await callTool({ name: 'set_severity', arguments: [1] })).code, -32602);
    assert.equal(errorOf(await callTool({ name: 7 })).code, -32602);
  });

  test('an argument outside its enum is an isError result naming the field and the allowed values (SEP-1303)', async () => {
    calls.length = 0;
    const result = resultOf(await callTool({ name: 'set_severity', arguments: { id: 1, severity: 'urgent' } }));
    assert.equal(result.isError, true);
    assert.equal(toolText(result), 'Invalid arguments for set_severity: severity must be one of: low, high.');
    assert.deepEqual(calls, [], 'the tool never ran');
  });

  test('missing, mistyped and unexpected arguments are isError results naming the field (SEP-1303)', async () => {
    const cases: Array<[JsonObject | undefined, string]> = [
      [{ id: 1 }, 'severity is required'],
      [undefined, 'id is required'],
      [{ id: '1', severity: 'low' }, 'id must be integer'],
      [{ id: 1, severity: 'low', colour: 'red' }, 'colour is not an accepted property'],
    ];
    for (const [args, text] of cases) {
      const params = args === undefined ? { name: 'set_severity' } : { name: 'set_severity', arguments: args };
      const result = resultOf(await callTool(params));
      assert.equal(result.isError, true);
      assert.equal(toolText(result), `Invalid arguments for set_severity: ${text}.`);
    }
  });

  test('a ToolError is an isError result with its message, and its data under _meta (server/tools.mdx "Error Handling")', async () => {
    const result = resultOf(await callTool({ name: 'set_severity', arguments: { id: 9, severity: 'low' } }));
    assert.deepEqual(result, {
      content: [{ type: 'text', text: 'Item 9 is closed; reopen it first' }],
      isError: true,
      _meta: { 'io.github.incident-mcp/error': { id: 9, status: 'closed' } },
    });
  });

  test('a ToolError without data has no _meta', async () => {
    const result = resultOf(await callTool({ name: 'set_severity', arguments: { id: 10, severity: 'low' } }));
    assert.deepEqual(result, { content: [{ type: 'text', text: 'Item 10 is locked' }], isError: true });
  });

  test('any other failure is a -32603 protocol error that does not leak the cause (STYLE principle 3)', async () => {
    const response = await callTool({ name: 'set_severity', arguments: { id: 13, severity: 'low' } });
    assert.equal(errorOf(response).code, -32603);
    assert.equal(errorOf(response).message, 'Internal error');
    assert.equal(JSON.stringify(response).includes('disk full'), false);
  });

  test('the tool gets a working context: progress flows when the call carried a token (basic/utilities/progress.mdx)', async () => {
    const related = collectingSink();
    await call(dispatcher, session, 'tools/call', { name: 'echo', _meta: { progressToken: 'p' } }, { related });
    assert.deepEqual(related.messages, [{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p', progress: 1, total: 1 } }]);
  });
});

describe('output schema (server/tools.mdx "Output Schema")', () => {
  test('a result whose structuredContent breaks the outputSchema is never sent: -32603 with a correlation id', async () => {
    const error = errorOf(await callTool({ name: 'set_severity', arguments: { id: 14, severity: 'low' } }));
    assert.equal(error.code, -32603);
    assert.equal(error.message, 'Internal error');
    assert.ok(typeof (error.data as { correlationId?: unknown }).correlationId === 'string');
  });
});
