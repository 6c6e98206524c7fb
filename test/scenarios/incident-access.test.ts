/**
 * Black-box scenarios for issue 15 over real HTTP: what create_incident and update_incident
 * return to a token with and without incidents:read (results reveal only what the caller may
 * read), a no-op update (says so, writes nothing, notifies nobody), and resources/subscribe
 * refusing URIs that can never name a resource, exactly as resources/read does (-32002).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { journalPathFor } from '../../src/incidents/journal.ts';
import { TestClient, type TestServer } from '../helpers/server.ts';
import { openStream, withServer } from '../helpers/http.ts';

const READ = 'incidents:read';
const WRITE = 'incidents:write';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SECRET = { title: 'Secret: payroll export leaks', severity: 'high', description: 'Only readers may see this' };

/** A connected client whose token carries exactly `scopes`. */
async function clientWith(server: TestServer, scopes: readonly string[]): Promise<TestClient> {
  const client = new TestClient(server.url, await server.token(scopes));
  await client.connect();
  return client;
}

async function callTool(client: TestClient, name: string, args: object): Promise<{ text: string; structured: Record<string, unknown> }> {
  const result = await client.call('tools/call', { name, arguments: args });
  assert.equal(result.isError, undefined, JSON.stringify(result));
  const content = result.content as Array<{ type: string; text: string }>;
  assert.equal(content.length, 1);
  return { text: content[0]?.text ?? '', structured: result.structuredContent as Record<string, unknown> };
}

async function journalBytes(server: TestServer): Promise<number> {
  return (await readFile(journalPathFor(server.file))).length;
}

test('a write-only token updating an incident gets the id, the fields it sent and updatedAt, never the title, description or creator (issue 15 #3; SECURITY S8)', async () => {
  await withServer({}, async (server) => {
    const reader = await clientWith(server, [READ, WRITE]);
    await callTool(reader, 'create_incident', SECRET);
    const writer = await clientWith(server, [WRITE]);
    const reply = await writer.request('tools/call', { name: 'update_incident', arguments: { id: '5', status: 'investigating' } });
    const result = reply.body.result as { structuredContent: { update: { updatedAt: string } } };
    const updatedAt = result.structuredContent.update.updatedAt;
    assert.match(updatedAt, TIMESTAMP);
    assert.deepEqual(result, {
      content: [{ type: 'text', text: 'Updated incident #5: status investigating.' }],
      structuredContent: { changed: true, update: { id: '5', status: 'investigating', updatedAt } },
    });
    for (const secret of [SECRET.title, SECRET.description, 'createdBy', 'high']) assert.ok(!reply.text.includes(secret), secret);
  });
});

test('a write-only token setting a value the incident already has is told nothing changed, and nothing is written (issue 15 #3)', async () => {
  await withServer({}, async (server) => {
    const writer = await clientWith(server, [WRITE]);
    const before = await journalBytes(server).catch(() => 0);
    const { text, structured } = await callTool(writer, 'update_incident', { id: '1', status: 'open', severity: 'critical' });
    assert.equal(text, 'Nothing changed: incident #1 already had the values given.');
    assert.deepEqual(structured, { changed: false, update: { id: '1', status: 'open', severity: 'critical' } });
    assert.equal(await journalBytes(server).catch(() => 0), before);
  });
});

test('a read+write token gets the whole incident from update_incident, and a no-op says so (issue 15 #3)', async () => {
  await withServer({}, async (server) => {
    const client = await clientWith(server, [READ, WRITE]);
    const changed = await callTool(client, 'update_incident', { id: '3', status: 'resolved' });
    assert.equal(changed.text, 'Updated incident #3 "Payment webhook retries failing" (high, resolved).');
    const incident = changed.structured.incident as { updatedAt: string };
    assert.match(incident.updatedAt, TIMESTAMP);
    assert.deepEqual(changed.structured, {
      changed: true,
      incident: { id: '3', title: 'Payment webhook retries failing', severity: 'high', status: 'resolved', updatedAt: incident.updatedAt },
    });
    const same = await callTool(client, 'update_incident', { id: '3', status: 'resolved' });
    assert.equal(same.text, 'Nothing changed: incident #3 "Payment webhook retries failing" (high, resolved) already had the values given.');
    assert.deepEqual(same.structured, { changed: false, incident: changed.structured.incident });
  });
});

test('a no-op update sends no notifications/resources/updated to subscribers (issue 15 #3; server/resources.mdx)', async () => {
  await withServer({}, async (server) => {
    const reader = await clientWith(server, [READ, WRITE]);
    const stream = await openStream(reader);
    await stream.next(); // priming
    for (const uri of ['incidents://1', 'incidents://2']) assert.deepEqual(await reader.call('resources/subscribe', { uri }), {});
    const writer = await clientWith(server, [WRITE]);
    await callTool(writer, 'update_incident', { id: '1', status: 'open' });
    await callTool(writer, 'update_incident', { id: '2', status: 'resolved' });
    const { message } = await stream.nextMessage();
    assert.deepEqual(message, { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'incidents://2' } });
    await stream.cancel();
  });
});

test('a write-only token creating an incident gets the record it made: every field came from its own call (issue 15 #3)', async () => {
  await withServer({}, async (server) => {
    const writer = await clientWith(server, [WRITE]);
    const { text, structured } = await callTool(writer, 'create_incident', { title: 'Disk full', description: 'db-2' });
    assert.equal(text, 'Created incident #5 "Disk full" (medium, open).');
    const incident = structured.incident as { createdAt: string; createdBy: string };
    assert.match(incident.createdAt, TIMESTAMP);
    assert.deepEqual(structured, {
      incident: {
        id: '5', title: 'Disk full', severity: 'medium', status: 'open', description: 'db-2',
        createdAt: incident.createdAt, updatedAt: incident.createdAt, createdBy: incident.createdBy,
      },
    });
  });
});

test('resources/subscribe refuses URIs that can never name a resource with -32002, as resources/read does (issue 15 #11; server/resources.mdx)', async () => {
  await withServer({}, async (server) => {
    const client = await clientWith(server, [READ]);
    const impossible = ['incidents://not-an-id', 'incidents://01', 'incidents://%00', `incidents://${'9'.repeat(31)}`, 'incidents://0', 'incidents://1%32', 'incidents://%31'];
    for (const uri of impossible) {
      for (const method of ['resources/read', 'resources/subscribe']) {
        const reply = await client.request(method, { uri });
        assert.equal(reply.status, 200, `${method} ${uri}`);
        assert.deepEqual(reply.body.error, { code: -32002, message: 'Resource not found', data: { uri } }, `${method} ${uri}`);
      }
    }
    // An id that may yet be created can be subscribed to; reading it is -32002 until then.
    assert.deepEqual(await client.call('resources/subscribe', { uri: 'incidents://99' }), {});
    assert.equal((await client.request('resources/read', { uri: 'incidents://99' })).body.error !== undefined, true);
  });
});
