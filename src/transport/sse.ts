/**
 * Server-sent events framing (WHATWG HTML §9.2 "Server-sent events"): a pure encoder that turns
 * one event or one comment into exactly one string ready for a single socket write, and a pure
 * incremental parser used by tests and tools to read those frames back.
 * This module owns the byte format only; it does not write to sockets, assign event ids, keep
 * an event store or decide when streams close (MCP 2025-11-25 basic/transports).
 */

/** One SSE event. Absent fields are not written; `data` absent means no `data` line at all. */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
}

/**
 * What SseParser reports: the fields each event block carried. `data` is absent when the block
 * had no `data` field, which is exactly the case a browser does not dispatch (dispatch step 2:
 * "If the data buffer is an empty string ... return"); such blocks are still reported when they
 * carry `id`, `event` or `retry`, because MCP cursors and `retry` hints matter to tests.
 */
export type ParsedEvent = SseEvent;

// end-of-line = ( cr lf / cr / lf )
const LINE_BREAK = /\r\n|\r|\n/;
const CR_OR_LF = /[\r\n]/;
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const BOM = '\uFEFF';
// "If the field value consists of only ASCII digits" (at least one, as browsers read it).
const ASCII_DIGITS = /^[0-9]+$/;

/** `name: value` or, for an empty value, `name:` (the parser strips one space, so both mean ''). */
function field(name: string, value: string): string {
  return value === '' ? `${name}:\n` : `${name}: ${value}\n`;
}

/**
 * Encodes one event as one frame: `id`, `event`, `retry`, then one `data` line per line of
 * `data` (split on CRLF, CR or LF), then the blank line that dispatches it. An empty `data`
 * gives `data:\n`, so an MCP priming event `{id: 'X', data: ''}` is `id: X\ndata:\n\n`.
 * @throws TypeError if `id` or `event` contains CR or LF, `id` contains NUL, or `retry` is not
 * a non-negative safe integer: these are caller bugs, never client data.
 */
export function encodeEvent(event: SseEvent): string {
  const { id, event: type, data, retry } = event;
  let frame = '';
  if (id !== undefined) {
    // field = 1*name-char [ colon [ space ] *any-char ] end-of-line; any-char excludes CR and LF.
    // "If the field value does not contain U+0000 NULL, then set the last event ID buffer".
    if (CR_OR_LF.test(id) || id.includes('\0')) throw new TypeError('SSE id must not contain CR, LF or NUL');
    frame += field('id', id);
  }
  if (type !== undefined) {
    if (CR_OR_LF.test(type)) throw new TypeError('SSE event type must not contain CR or LF');
    frame += field('event', type);
  }
  if (retry !== undefined) {
    // "If the field value consists of only ASCII digits": a non-negative integer, no sign or exponent.
    if (!Number.isSafeInteger(retry) || retry < 0) throw new TypeError('SSE retry must be a non-negative integer');
    frame += `retry: ${retry}\n`;
  }
  if (data !== undefined) {
    if (!CR_OR_LF.test(data)) {
      frame += field('data', data);
    } else {
      for (const line of data.split(LINE_BREAK)) frame += field('data', line);
    }
  }
  return frame + '\n';
}

/**
 * Encodes a comment line, `: text\n\n` (`:\n\n` when empty), for heartbeats that keep
 * intermediaries from timing the stream out. "If the line starts with a U+003A COLON
 * character (:) → Ignore the line."
 * @throws TypeError if `text` contains CR or LF.
 */
export function encodeComment(text: string): string {
  if (CR_OR_LF.test(text)) throw new TypeError('SSE comment must not contain CR or LF');
  return text === '' ? ':\n\n' : `: ${text}\n\n`;
}

/**
 * Incremental parser following WHATWG "interpret an event stream": feed decoded text in any
 * chunking; lines and CRLF pairs split across chunks are joined. Reports every block that
 * carried `data`, `id`, `event` or `retry` (see ParsedEvent); `lastEventId` and
 * `reconnectionTime` follow the spec's own buffers. Pending input at end of stream is simply
 * never reported: "If the file ends in the middle of an event ... not dispatched."
 */
export class SseParser {
  #started = false;
  #afterCR = false;
  #partial = '';
  #data: string | undefined;
  #event: string | undefined;
  #id: string | undefined;
  #retry: number | undefined;
  #lastEventId = '';
  #reconnectionTime: number | undefined;

  /** The last event ID string: set from the last `id` field when a block is dispatched. */
  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** The reconnection time set by the last valid `retry` field, in milliseconds. */
  get reconnectionTime(): number | undefined {
    return this.#reconnectionTime;
  }

  /** Feeds one chunk of text; returns the events completed by it, in order. */
  push(chunk: string): ParsedEvent[] {
    const events: ParsedEvent[] = [];
    let text = chunk;
    if (!this.#started && text !== '') {
      // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
      this.#started = true;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    let start = 0;
    // A CR ended the previous chunk: an LF opening this one completes the same CRLF.
    if (this.#afterCR && text.charCodeAt(0) === LF) start = 1;
    if (text !== '') this.#afterCR = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== CR && c !== LF) continue;
      const line = this.#partial + text.slice(start, i);
      this.#partial = '';
      if (c === CR) {
        if (i + 1 === text.length) this.#afterCR = true;
        else if (text.charCodeAt(i + 1) === LF) i++;
      }
      start = i + 1;
      this.#line(line, events);
    }
    this.#partial += text.slice(start);
    return events;
  }

  #line(line: string, events: ParsedEvent[]): void {
    // "If the line is empty (a blank line) → Dispatch the event"
    if (line === '') return this.#dispatch(events);
    // "If the line starts with a U+003A COLON character (:) → Ignore the line."
    const colon = line.indexOf(':');
    if (colon === 0) return;
    // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:) →
    // Process the field ... using the whole line as the field name, and the empty string as the value."
    if (colon === -1) return this.#field(line, '');
    // "If value starts with a U+0020 SPACE character, remove it from value."
    const valueStart = line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
    this.#field(line.slice(0, colon), line.slice(valueStart));
  }

  #field(name: string, value: string): void {
    switch (name) {
      case 'event':
        this.#event = value;
        return;
      case 'data':
        // "Append the field value to the data buffer, then append a single U+000A LINE FEED";
        // joining with LF here is the same as dispatch step 3 removing the final LF.
        this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
        return;
      case 'id':
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer"
        if (!value.includes('\0')) this.#id = value;
        return;
      case 'retry':
        // "If the field value consists of only ASCII digits, then ... set the reconnection time"
        // (a value past 2^53 is no integer a timer can use: ignored like any other bad value).
        if (ASCII_DIGITS.test(value) && Number.isSafeInteger(Number(value))) this.#reconnectionTime = this.#retry = Number(value);
        return;
      default:
      // "Otherwise → The field is ignored."
    }
  }

  #dispatch(events: ParsedEvent[]): void {
    const id = this.#id;
    const event = this.#event;
    const data = this.#data;
    const retry = this.#retry;
    this.#id = this.#event = this.#data = this.#retry = undefined;
    // "Set the last event ID string of the event source to the value of the last event ID buffer."
    if (id !== undefined) this.#lastEventId = id;
    if (id === undefined && event === undefined && data === undefined && retry === undefined) return;
    const parsed: ParsedEvent = {};
    if (id !== undefined) parsed.id = id;
    if (event !== undefined) parsed.event = event;
    if (retry !== undefined) parsed.retry = retry;
    if (data !== undefined) parsed.data = data;
    events.push(parsed);
  }
}
