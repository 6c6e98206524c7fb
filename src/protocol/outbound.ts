/**
 * Server-to-client requests (ping, sampling, elicitation, roots): ids we mint, responses the
 * client POSTs back matched to the waiting caller, and timeouts (MCP 2025-11-25
 * basic/lifecycle.mdx "Timeouts": senders SHOULD time out and then send notifications/cancelled).
 */
import type { JsonObject } from './definitions.ts';
import { ProtocolError, ErrorCode } from './errors.ts';
import { idKey, type JsonRpcMessage, type JsonRpcResponse, type RequestId } from './messages.ts';

interface Pending {
  resolve(result: JsonObject): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Default wait for a client's answer; elicitation waits on a person, so it is generous. */
export const DEFAULT_OUTBOUND_TIMEOUT_MS = 120_000;

export class OutboundRequests {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();

  /**
   * Sends a request through `send` and waits for the matching response.
   * Rejects with a ProtocolError carrying the client's error, or on timeout or abort; with a plain
   * Error when the session closes.
   */
  request(method: string, params: JsonObject | undefined, send: (message: JsonRpcMessage) => void, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<JsonObject> {
    // basic/index.mdx: ids are unique per session, also for server-initiated requests.
    const id: RequestId = `srv-${this.nextId++}`;
    const key = idKey(id);
    return new Promise<JsonObject>((resolve, reject) => {
      // An already-aborted caller would never see the abort event: refuse without sending.
      if (options.signal?.aborted === true) return reject(new ProtocolError(ErrorCode.InternalError, `Request ${method} was cancelled`));
      const finish = (): void => {
        clearTimeout(entry.timer);
        this.pending.delete(key);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const cancel = (reason: string): void => {
        finish();
        send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
        reject(new ProtocolError(ErrorCode.InternalError, `Request ${method} ${reason}`));
      };
      const onAbort = (): void => cancel('was cancelled');
      const entry: Pending = {
        resolve: (result) => { finish(); resolve(result); },
        reject: (error) => { finish(); reject(error); },
        timer: setTimeout(() => cancel('timed out'), options.timeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS),
      };
      this.pending.set(key, entry);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    });
  }

  /** Delivers a response POSTed by the client; false when no request waits for that id. */
  settle(response: JsonRpcResponse): boolean {
    if (response.id === undefined) return false;
    const entry = this.pending.get(idKey(response.id));
    if (entry === undefined) return false;
    if ('result' in response) entry.resolve(response.result);
    else entry.reject(new ProtocolError(ErrorCode.InternalError, response.error.message, response.error));
    return true;
  }

  rejectAll(reason: string): void {
    for (const entry of [...this.pending.values()]) entry.reject(new Error(reason));
  }

  get size(): number {
    return this.pending.size;
  }
}
