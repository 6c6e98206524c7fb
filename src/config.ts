/**
 * Configuration: the only reader of the environment (STYLE principle 12). It reads `process.env`
 * plus a `.env` file when present (real environment wins), validates everything, reports every
 * problem at once with its fix, and returns a frozen Config that the rest of the code is given.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnvFile } from './env-file.ts';
import { LOG_THRESHOLDS, type LogThreshold } from './log.ts';

export interface AuthConfig {
  /** Exact issuer, no trailing slash: `https://{OKTA_DOMAIN}/oauth2/{OKTA_AUTH_SERVER_ID}`. */
  readonly issuer: string;
  /** `{issuer}/v1/keys` (Okta custom authorization servers). */
  readonly jwksUri: string;
  /** Must appear in the token's `aud`. */
  readonly audience: string;
  /** Optional allow-list of `cid` values; empty means any client. */
  readonly clientIds: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. */
  readonly clockToleranceSeconds: number;
  /** OKTA_REQUIRE_DPOP: refuse bearer tokens that are not DPoP-bound (RFC 9449). */
  readonly requireDpop: boolean;
}

/** How the server reaches the issuer: the standard proxy variables (uppercase wins over lowercase). */
export interface EgressConfig {
  /** HTTPS_PROXY: the proxy for https:// issuers. */
  readonly httpsProxy: string | undefined;
  /** HTTP_PROXY: the proxy for http:// issuers. */
  readonly httpProxy: string | undefined;
  /** NO_PROXY: hosts (and `.suffix` domains, `*` for all) reached directly. */
  readonly noProxy: readonly string[];
}

/** DATABASE_URL set: incidents (and legacy sessions) live in PostgreSQL. */
export interface DatabaseConfig {
  /** A `postgres://` or `postgresql://` connection string; it may carry a password, so it is never logged. */
  readonly url: string;
  /** MAX_DB_CONNECTIONS: the pool's size. */
  readonly maxConnections: number;
}

/** Bounds of modern listen streams (subscriptions/listen; docs/decisions.md M-S13). */
export interface ListenConfig {
  /** MAX_LISTEN_STREAMS_PER_PRINCIPAL: open listen streams per token holder. */
  readonly maxStreamsPerPrincipal: number;
  /** MAX_LISTEN_URIS: URIs one listen request may name. */
  readonly maxUris: number;
  /** MAX_LISTEN_QUEUED_BYTES: unsent bytes a modern stream may leave before it is cut off. */
  readonly maxQueuedBytes: number;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** MCP_PUBLIC_URL: the URL clients use for the MCP endpoint (the PRM `resource`); when unset,
   *  `http://{HOST}:{bound port}/mcp`, known once the server listens. */
  readonly publicUrl: string | undefined;
  /** Browser origins allowed besides loopback ones, normalised (`scheme://host[:port]`). */
  readonly allowedOrigins: readonly string[];
  readonly incidentsFile: string;
  /** Tool calls per minute per principal; 0 turns the limit off. */
  readonly toolRateLimit: number;
  readonly logLevel: LogThreshold;
  readonly maxBodyBytes: number;
  readonly maxSessions: number;
  /** MAX_SESSIONS_PER_PRINCIPAL: live sessions one token holder (iss, sub, cid) may hold at once. */
  readonly maxSessionsPerPrincipal: number;
  readonly sessionIdleMs: number;
  readonly listen: ListenConfig;
  /** REQUEST_STATE_KEY: the 32-byte key sealing multi round-trip `requestState`; undefined: one drawn per process. */
  readonly requestStateKey: Uint8Array | undefined;
  /** Undefined: the JSON file store (INCIDENTS_FILE). */
  readonly database: DatabaseConfig | undefined;
  readonly egress: EgressConfig;
  readonly resourceDocumentation: string | undefined;
  readonly auth: AuthConfig;
}

/** Thrown when the configuration cannot be used; `problems` each say what to do. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Every setting this server reads, the one list of them: the Reader accepts only these names, and
 * a `.env` key outside it is reported with the closest name (env-file.ts).
 */
export const SETTINGS = [
  'PORT', 'HOST', 'MCP_PUBLIC_URL', 'MCP_RESOURCE_DOCUMENTATION', 'ALLOWED_ORIGINS', 'INCIDENTS_FILE',
  'TOOL_RATE_LIMIT', 'LOG_LEVEL', 'MAX_BODY_BYTES', 'MAX_SESSIONS', 'MAX_SESSIONS_PER_PRINCIPAL', 'SESSION_IDLE_SECONDS',
  'MAX_LISTEN_STREAMS_PER_PRINCIPAL', 'MAX_LISTEN_URIS', 'MAX_LISTEN_QUEUED_BYTES', 'REQUEST_STATE_KEY',
  'DATABASE_URL', 'MAX_DB_CONNECTIONS',
  'OKTA_ISSUER', 'OKTA_DOMAIN', 'OKTA_AUTH_SERVER_ID', 'OKTA_AUDIENCE', 'OKTA_CLIENT_IDS', 'OKTA_CLOCK_TOLERANCE', 'OKTA_REQUIRE_DPOP',
  'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy',
  'DEV_ISSUER_PORT',
] as const;
export type Setting = (typeof SETTINGS)[number];

export interface Environment {
  readonly env: Env;
  /** Problems found in `.env` that did not stop it being read; the caller logs them. */
  readonly warnings: readonly string[];
}

/** The process environment with `.env` (in `cwd`) filled in beneath it: the environment wins. */
export function readEnvironment(cwd = process.cwd(), env: Env = process.env): Environment {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { env, warnings: [] };
  }
  const file = parseEnvFile(text, SETTINGS);
  return { env: { ...file.values, ...env }, warnings: file.warnings };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** A host as it is written in a URL: IPv6 addresses bracketed (RFC 3986 §3.2.2). */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `http://{host}:{port}/mcp`. */
export function defaultPublicUrl(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}/mcp`;
}

/** True for the names and addresses that only reach this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Placeholder markers used in `.env.example`; a value containing one was never filled in. */
const PLACEHOLDER = /your-|example\.okta|<|>|xxxx/i;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: Setting, fallback: string): string {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  }

  optional(name: Setting): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: Setting, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}=${JSON.stringify(raw)} is not a whole number from ${min} to ${max}; set it to one or remove it (default ${fallback}).`);
      return fallback;
    }
    return value;
  }

  boolean(name: Setting): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined || raw === '0' || raw === 'false') return false;
    if (raw === '1' || raw === 'true') return true;
    this.problems.push(`${name}=${JSON.stringify(raw)} is not a switch; set it to 1 (on) or 0 (off).`);
    return false;
  }

  url(name: Setting, raw: string, options: { allowHttpOnLoopback: boolean }): URL | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.problems.push(`${name}=${JSON.stringify(raw)} is not an absolute URL; write it as https://host/path.`);
      return undefined;
    }
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowHttpOnLoopback && loopback)) {
      this.problems.push(`${name} must use https:// (http:// is accepted only for loopback hosts); got ${url.protocol}//${url.host}.`);
    }
    if (url.hash !== '' || url.search !== '') {
      this.problems.push(`${name} must not carry a query or fragment; remove everything after the path.`);
    }
    return url;
  }
}

function stripTrailingSlash(value: string): string {
  return value.endsWith('/') ? value.replace(/\/+$/, '') : value;
}

function normaliseOrigin(reader: Reader, raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (url.origin === 'null') throw new Error('opaque');
    return url.origin;
  } catch {
    reader.problems.push(`ALLOWED_ORIGINS entry ${JSON.stringify(raw)} is not an origin; write it as https://app.example.com.`);
    return undefined;
  }
}

function readAuth(reader: Reader): AuthConfig {
  const explicitIssuer = reader.optional('OKTA_ISSUER');
  const domain = reader.optional('OKTA_DOMAIN');
  const serverId = reader.string('OKTA_AUTH_SERVER_ID', 'default');
  let issuer = '';
  if (explicitIssuer !== undefined) {
    issuer = stripTrailingSlash(explicitIssuer);
  } else if (domain !== undefined) {
    const host = stripTrailingSlash(domain.replace(/^https?:\/\//, ''));
    issuer = `https://${host}/oauth2/${serverId}`;
  } else {
    reader.problems.push('No token issuer is configured: set OKTA_DOMAIN (and OKTA_AUTH_SERVER_ID, default "default") or OKTA_ISSUER; for local use run `npm run dev`, which starts a development issuer.');
  }
  for (const name of ['OKTA_ISSUER', 'OKTA_DOMAIN', 'OKTA_AUTH_SERVER_ID', 'OKTA_AUDIENCE'] as const) {
    const value = reader.optional(name);
    if (value !== undefined && PLACEHOLDER.test(value)) {
      reader.problems.push(`${name}=${JSON.stringify(value)} is the placeholder from .env.example; replace it with your Okta value.`);
    }
  }
  if (issuer !== '') {
    const url = reader.url(explicitIssuer !== undefined ? 'OKTA_ISSUER' : 'OKTA_DOMAIN', issuer, { allowHttpOnLoopback: true });
    // okta.md: the org authorization server's tokens cannot be verified locally.
    if (url !== undefined && !/\/oauth2\/[^/]+$/.test(url.pathname)) {
      reader.problems.push(`The issuer ${issuer} is an Okta org authorization server, whose access tokens cannot be verified by a resource server; use a custom authorization server: https://{domain}/oauth2/default or /oauth2/{id}.`);
    }
  }
  const clockToleranceSeconds = reader.integer('OKTA_CLOCK_TOLERANCE', 30, 0, 300);
  const clientIds = (reader.optional('OKTA_CLIENT_IDS') ?? '').split(/[\s,]+/).filter((id) => id !== '');
  return {
    issuer,
    jwksUri: `${issuer}/v1/keys`,
    audience: reader.string('OKTA_AUDIENCE', 'api://default'),
    clientIds,
    clockToleranceSeconds,
    requireDpop: reader.boolean('OKTA_REQUIRE_DPOP'),
  };
}

/** REQUEST_STATE_KEY: 32 bytes, as 64 hex digits or 43 base64url characters. */
function readRequestStateKey(reader: Reader): Uint8Array | undefined {
  const raw = reader.optional('REQUEST_STATE_KEY');
  if (raw === undefined) return undefined;
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9_-]{43}$/.test(raw) ? Buffer.from(raw, 'base64url') : undefined;
  if (key === undefined || key.length !== 32) {
    reader.problems.push('REQUEST_STATE_KEY is not a 32-byte key; make one with `node -e "console.log(crypto.randomBytes(32).toString(\'hex\'))"` and give every instance the same.');
    return undefined;
  }
  return new Uint8Array(key);
}

function readDatabase(reader: Reader): DatabaseConfig | undefined {
  const url = reader.optional('DATABASE_URL');
  const maxConnections = reader.integer('MAX_DB_CONNECTIONS', 10, 1, 1000);
  if (url === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  // Never echo the value: it may carry a password.
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    reader.problems.push('DATABASE_URL is not a PostgreSQL URL; write it as postgres://user:password@host:5432/database (unset it to keep incidents in INCIDENTS_FILE).');
  }
  return { url, maxConnections };
}

function readEgress(reader: Reader): EgressConfig {
  const either = (upper: Setting, lower: Setting): string | undefined => reader.optional(upper) ?? reader.optional(lower);
  const noProxy = (either('NO_PROXY', 'no_proxy') ?? '').split(/[\s,]+/).filter((host) => host !== '');
  return Object.freeze({ httpsProxy: either('HTTPS_PROXY', 'https_proxy'), httpProxy: either('HTTP_PROXY', 'http_proxy'), noProxy });
}

/**
 * Validates the environment into a frozen Config.
 * @throws ConfigError listing every problem found, each with its fix.
 */
export function loadConfig(env: Env): Config {
  const reader = new Reader(env);
  const port = reader.integer('PORT', 9001, 0, 65535);
  const host = reader.string('HOST', '127.0.0.1');
  const publicRaw = reader.optional('MCP_PUBLIC_URL');
  const publicUrl = publicRaw === undefined ? undefined : stripTrailingSlash(reader.url('MCP_PUBLIC_URL', publicRaw, { allowHttpOnLoopback: true })?.href ?? publicRaw);
  if (publicUrl === undefined && !isLoopbackHost(host)) {
    // RFC 9728 §3.3: the metadata's `resource` must be the URL clients use, which a bind address is not.
    reader.problems.push(`HOST=${host} serves other machines, so set MCP_PUBLIC_URL to the URL clients use for the endpoint, e.g. https://mcp.example.com/mcp.`);
  }
  const allowedOrigins = (reader.optional('ALLOWED_ORIGINS') ?? '')
    .split(/[\s,]+/)
    .filter((o) => o !== '')
    .map((o) => normaliseOrigin(reader, o))
    .filter((o): o is string => o !== undefined);
  const logLevel = reader.string('LOG_LEVEL', 'info');
  if (!(LOG_THRESHOLDS as readonly string[]).includes(logLevel)) {
    reader.problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)} is not one of ${LOG_THRESHOLDS.join(', ')}.`);
  }
  const resourceDocumentation = reader.optional('MCP_RESOURCE_DOCUMENTATION');
  const config: Config = {
    port,
    host,
    publicUrl,
    allowedOrigins,
    incidentsFile: resolve(reader.string('INCIDENTS_FILE', './incidents.json')),
    toolRateLimit: reader.integer('TOOL_RATE_LIMIT', 600, 0, 1_000_000),
    logLevel: logLevel as LogThreshold,
    maxBodyBytes: reader.integer('MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    maxSessions: reader.integer('MAX_SESSIONS', 10_000, 1, 1_000_000),
    maxSessionsPerPrincipal: reader.integer('MAX_SESSIONS_PER_PRINCIPAL', 100, 1, 1_000_000),
    sessionIdleMs: reader.integer('SESSION_IDLE_SECONDS', 1800, 1, 7 * 24 * 3600) * 1000,
    listen: Object.freeze({
      maxStreamsPerPrincipal: reader.integer('MAX_LISTEN_STREAMS_PER_PRINCIPAL', 10, 1, 10_000),
      maxUris: reader.integer('MAX_LISTEN_URIS', 100, 1, 10_000),
      maxQueuedBytes: reader.integer('MAX_LISTEN_QUEUED_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    }),
    requestStateKey: readRequestStateKey(reader),
    database: readDatabase(reader),
    egress: readEgress(reader),
    resourceDocumentation,
    auth: readAuth(reader),
  };
  if (resourceDocumentation !== undefined) reader.url('MCP_RESOURCE_DOCUMENTATION', resourceDocumentation, { allowHttpOnLoopback: true });
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return Object.freeze({ ...config, auth: Object.freeze(config.auth) });
}
