/**
 * Scenario harness: a real development issuer and the real server on port 0 over loopback, with
 * the incidents file in a fresh temp dir, plus a small HTTP client that speaks MCP the way a
 * client would and checks every message the server sends against the official schema.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type StartOptions } from '../../src/app.ts';
import { startDevIssuer, type DevIssuer, type DevIssuerOptions, type JwksMode } from '../../src/auth/dev-issuer.ts';
import { loadConfig } from '../../src/config.ts';
import type { Logger } from '../../src/log.ts';
import { SseParser } from '../../src/transport/sse.ts';
import { assertServerMessage } from './schema.ts';

export const PROTOCOL_VERSION = '2025-11-25';

/** A logger that keeps lines for assertions. */
export function memoryLogger(): Logger & { lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const push = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...fields });
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export interface TestServer {
  readonly url: string;
  readonly origin: string;
  readonly issuer: DevIssuer;
  readonly running: RunningServer;
  readonly file: string;
  readonly dir: string;
  readonly logger: ReturnType<typeof memoryLogger>;
  token(scopes?: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  /** Contents of the incidents file; null for none (a fresh store). Default: the seed's 4 incidents. */
  incidents?: object | null;
  /** How the issuer's JWKS endpoint answers from the start (default 'ok'). */
  jwksMode?: JwksMode;
  /** Options of the development issuer (e.g. `slowMs` of its 'slow' JWKS mode). */
  issuer?: DevIssuerOptions;
  start?: StartOptions;
}

export const SEED = {
  '1': { id: '1', title: 'Database connection pool exhausted', severity: 'critical', status: 'open' },
  '2': { id: '2', title: 'Login page slow to load', severity: 'medium', status: 'investigating' },
  '3': { id: '3', title: 'Payment webhook retries failing', severity: 'high', status: 'open' },
  '4': { id: '4', title: 'Typo on pricing page', severity: 'low', status: 'resolved' },
};

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const issuer = await startDevIssuer({ ...options.issuer, host: '127.0.0.1', port: 0 });
  if (options.jwksMode !== undefined) issuer.setJwksMode(options.jwksMode);
  const dir = await mkdtemp(join(tmpdir(), 'mcp-test-'));
  const file = join(dir, 'incidents.json');
  const incidents = options.incidents === undefined ? SEED : options.incidents;
  if (incidents !== null) await writeFile(file, JSON.stringify(incidents, null, 2));
  const config = loadConfig({ PORT: '0', OKTA_ISSUER: issuer.issuer, OKTA_AUDIENCE: issuer.audience, INCIDENTS_FILE: file, TOOL_RATE_LIMIT: '0', ...options.env });
  const logger = memoryLogger();
  const running = await startServer(config, { logger, ...options.start });
  return {
    url: running.url,
    origin: new URL(running.url).origin,
    issuer,
    running,
    file,
    dir,
    logger,
    token: (scopes) => issuer.mint(scopes === undefined ? {} : { scopes }),
    async close() {
      await running.close(500);
      await issuer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or the messages of an SSE body. */
  messages: unknown[];
  /** The JSON-RPC response in the body (the last message carrying an id and result/error). */
  body: Record<string, unknown>;
}

/** Reads a fetch Response fully, parsing JSON or SSE, checking each message against the schema. */
export async function readReply(response: Response, method?: string): Promise<Reply> {
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let messages: unknown[] = [];
  if (type.startsWith('application/json') && text !== '') messages = [JSON.parse(text)];
  if (type.startsWith('text/event-stream')) {
    messages = new SseParser().push(text).filter((e) => e.data !== undefined && e.data !== '').map((e) => JSON.parse(e.data as string));
  }
  for (const message of messages) assertServerMessage(message, method);
  const responses = messages.filter((m) => typeof m === 'object' && m !== null && ('result' in m || 'error' in m));
  return { status: response.status, headers: response.headers, text, messages, body: (responses.at(-1) ?? {}) as Record<string, unknown> };
}

/** A minimal MCP client over fetch: one session, one token. */
export class TestClient {
  sessionId: string | undefined;
  protocolVersion = PROTOCOL_VERSION;
  private nextId = 1;

  constructor(readonly url: string, public token: string | undefined) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (this.sessionId !== undefined) {
      headers['mcp-session-id'] = this.sessionId;
      headers['mcp-protocol-version'] = this.protocolVersion;
    }
    return { ...headers, ...extra };
  }

  /** POSTs a raw body. */
  async post(body: unknown, extra: Record<string, string> = {}, method?: string): Promise<Reply> {
    const response = await fetch(this.url, { method: 'POST', headers: this.headers(extra), body: typeof body === 'string' ? body : JSON.stringify(body) });
    return readReply(response, method);
  }

  /** Sends a request and returns its reply. */
  request(method: string, params?: object, extra: Record<string, string> = {}): Promise<Reply> {
    const message = params === undefined ? { jsonrpc: '2.0', id: this.nextId++, method } : { jsonrpc: '2.0', id: this.nextId++, method, params };
    return this.post(message, extra, method);
  }

  /** Sends a request and returns its result, asserting success. */
  async call(method: string, params?: object): Promise<Record<string, unknown>> {
    const reply = await this.request(method, params);
    assert.equal(reply.status, 200, reply.text);
    assert.ok('result' in reply.body, reply.text);
    return reply.body.result as Record<string, unknown>;
  }

  notify(method: string, params?: object): Promise<Reply> {
    return this.post(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
  }

  /** initialize + notifications/initialized; keeps the session id. */
  async connect(version = PROTOCOL_VERSION, capabilities: object = {}): Promise<Record<string, unknown>> {
    const reply = await this.request('initialize', { protocolVersion: version, capabilities, clientInfo: { name: 'test-client', version: '1.0.0' } });
    assert.equal(reply.status, 200, reply.text);
    this.sessionId = reply.headers.get('mcp-session-id') ?? undefined;
    assert.ok(this.sessionId, 'initialize must return MCP-Session-Id');
    const result = reply.body.result as Record<string, unknown>;
    this.protocolVersion = result.protocolVersion as string;
    const ack = await this.notify('notifications/initialized');
    assert.equal(ack.status, 202);
    return result;
  }

  async close(): Promise<number> {
    const response = await fetch(this.url, { method: 'DELETE', headers: this.headers() });
    await response.arrayBuffer();
    return response.status;
  }
}

/** A started server and a connected client with a read+write token. */
export async function connected(options: TestServerOptions = {}): Promise<{ server: TestServer; client: TestClient }> {
  const server = await startTestServer(options);
  const client = new TestClient(server.url, await server.token());
  await client.connect();
  return { server, client };
}
