/**
 * How the server reaches its issuer: HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl and most tools
 * read them, applied to the key fetches only. A proxied fetch goes through undici's ProxyAgent (a
 * CONNECT tunnel for https, absolute-form requests for http), passed as the dispatcher of those
 * fetches alone: no global dispatcher is set. undici is loaded on the first such fetch, so a
 * server without a proxy or extra TLS never loads it (issue 16: start-up). Owns the NO_PROXY
 * matching. It does not decide timeouts or what a failed fetch means (okta-verifier.ts).
 */
import type { FetchImplementation } from 'jose';
import type { Dispatcher } from 'undici';
import type { EgressConfig } from '../config.ts';

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' };

/** One NO_PROXY entry: a host (or domain suffix) and an optional port. */
function splitEntry(entry: string): { host: string; port: string | undefined } {
  const lower = entry.toLowerCase();
  if (lower.startsWith('[')) {
    const close = lower.indexOf(']');
    const port = lower.slice(close + 1).startsWith(':') ? lower.slice(close + 2) : undefined;
    return { host: lower.slice(1, close < 0 ? undefined : close), port };
  }
  const colon = lower.lastIndexOf(':');
  // A single colon separates a port; more than one is a bare IPv6 address.
  if (colon > 0 && lower.indexOf(':') === colon) return { host: lower.slice(0, colon), port: lower.slice(colon + 1) };
  return { host: lower, port: undefined };
}

/**
 * True when `url` is to be reached directly: NO_PROXY names its host exactly, a domain it is in
 * (`example.com` and `.example.com` both match `a.example.com`; `*.` is read as `.`), or `*`; an
 * entry with a port matches that port only.
 */
export function bypassesProxy(url: URL, noProxy: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : url.port;
  return noProxy.some((raw) => {
    if (raw === '*') return true;
    const entry = splitEntry(raw.trim());
    if (entry.port !== undefined && entry.port !== port) return false;
    const domain = entry.host.replace(/^\*?\./, '');
    if (domain === '') return false;
    return host === domain || host.endsWith(`.${domain}`);
  });
}

/** The proxy URL for `url` under `egress`, or undefined for a direct connection. */
export function proxyFor(url: URL, egress: EgressConfig): string | undefined {
  const proxy = url.protocol === 'https:' ? egress.httpsProxy : url.protocol === 'http:' ? egress.httpProxy : undefined;
  if (proxy === undefined || proxy === '' || bypassesProxy(url, egress.noProxy)) return undefined;
  return proxy;
}

/** TLS for connections to the issuer beyond Node's trust store (which NODE_EXTRA_CA_CERTS extends). */
export interface EgressTls {
  /** PEM certificates trusted instead of the default ones (tests: a private CA). */
  readonly ca: string;
}

export interface EgressOptions {
  readonly tls?: EgressTls | undefined;
}

/** undici's fetch bound to the one dispatcher it is given (undici 8's, not the undici inside Node). */
type DispatchedFetch = (url: string, init: Parameters<FetchImplementation>[1]) => Promise<Response>;

/** Loads undici and makes the dispatcher: a tunnel through `proxy`, or direct with `tls`. */
async function dispatchedFetch(proxy: string | undefined, tls: EgressTls | undefined): Promise<DispatchedFetch> {
  // undici is CommonJS: its module.exports is the default export both under Node and in the
  // bundled dist/ (esbuild gives a dynamically imported CommonJS module no named exports).
  const { Agent, ProxyAgent, fetch: undiciFetch } = (await import('undici')).default;
  const dispatcher: Dispatcher = proxy === undefined
    ? new Agent({ connect: { ...tls } })
    : new ProxyAgent({ uri: proxy, requestTls: { ...tls } });
  return async (url, { headers, method, redirect, signal }) => {
    const response = await undiciFetch(url, { dispatcher, headers: [...headers], method, redirect, signal });
    return response as unknown as Response;
  };
}

/**
 * A fetch for requests to `target`'s origin: through the proxy egress names for it, else direct.
 * The dispatcher is made once, on the first fetch; its idle sockets do not keep the process alive.
 */
export function egressFetch(target: URL, egress: EgressConfig | undefined, options: EgressOptions = {}): FetchImplementation {
  const proxy = egress === undefined ? undefined : proxyFor(target, egress);
  if (proxy === undefined && options.tls === undefined) return (url, init) => fetch(url, init);
  let ready: Promise<DispatchedFetch> | undefined;
  return async (url, init) => {
    ready ??= dispatchedFetch(proxy, options.tls);
    return (await ready)(url, init);
  };
}
