/**
 * The incidents file format: one JSON object keyed by id, `{"1": {"id": "1", ...}, ...}`,
 * pretty-printed with two spaces so people can read and edit it. Parsing checks every record and
 * reports the first problem with its line. Pure functions: reading and writing the file is
 * json-store.ts's and atomic-file.ts's job.
 */
import { decodeUtf8 } from '../utf8.ts';
import type { Incident } from './model.ts';
import { parseIncident } from './model.ts';
import { StoreLoadError } from './store.ts';

/** Parses file bytes into records in ascending id order, or throws StoreLoadError. */
export function parseIncidentFile(bytes: Uint8Array, path: string): Map<string, Incident> {
  let text: string;
  try {
    // RFC 8259 §8.1: UTF-8 only; invalid bytes are refused, not replaced (utf8.ts).
    text = decodeUtf8(bytes);
  } catch {
    throw new StoreLoadError(path, undefined, 'the file is not valid UTF-8');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreLoadError(path, lineAt(text, syntaxErrorOffset(text, message)), `invalid JSON: ${message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new StoreLoadError(path, 1, 'the file must hold a JSON object keyed by incident id');
  }
  const incidents: Incident[] = [];
  for (const [key, value] of Object.entries(document)) {
    const parsed = parseIncident(key, value);
    if (typeof parsed === 'string') {
      const offset = topLevelKeyOffsets(text).get(key);
      throw new StoreLoadError(path, offset === undefined ? undefined : lineAt(text, offset), parsed);
    }
    incidents.push(parsed);
  }
  incidents.sort((a, b) => Number(a.id) - Number(b.id));
  return new Map(incidents.map((incident) => [incident.id, incident]));
}

/** The file text for these records (in ascending id order), ending with a newline. */
export function formatIncidentFile(ascending: Iterable<Incident>): string {
  const document = Object.fromEntries(Array.from(ascending, (incident) => [incident.id, incident]));
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** 1-based line number of a UTF-16 offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const POSITION = /at position (\d+)/;
const END_OF_INPUT = 'Unexpected end of JSON input';

/**
 * Where JSON.parse gave up. Node 20 says `... in JSON at position N` for most errors, but
 * `Unexpected token 'x', "..." is not valid JSON` (no offset) for a stray token. For those, find
 * the shortest prefix that fails for a reason other than ending early: its last character is it.
 */
export function syntaxErrorOffset(text: string, message: string): number {
  // An error at the very end is reported on the last line that has content.
  const end = text.trimEnd().length;
  const position = POSITION.exec(message);
  if (position?.[1] !== undefined) return Math.min(Number(position[1]), end);
  if (message.includes(END_OF_INPUT)) return end;
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = (good + bad) >>> 1;
    if (failsBeforeEnd(text.slice(0, middle))) bad = middle;
    else good = middle;
  }
  return bad - 1;
}

function failsBeforeEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (message.includes(END_OF_INPUT)) return false;
    const position = POSITION.exec(message);
    return position?.[1] === undefined || Number(position[1]) < prefix.length;
  }
}

/** Offsets of the keys of the top-level object in valid JSON text, by decoded key. */
function topLevelKeyOffsets(text: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    else if (char === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && /^\s*:/.test(text.slice(i + 1, i + 64))) {
        offsets.set(JSON.parse(text.slice(start, i + 1)) as string, start);
      }
    }
  }
  return offsets;
}
