/**
 * The `.env` file. Its values come from Node's own dotenv parser (`util.parseEnv`, the grammar of
 * `node --env-file`: `KEY=value`, `export ` prefix, single, double or backtick quotes, multi-line
 * double quotes, `#` comments). This module adds only what that parser does not do: it names the
 * lines it ignored, the values it cut at a `#`, and each key that is not a setting of this server,
 * with the closest one that is (`OKTA_DOMIAN` → `OKTA_DOMAIN`). It reads no environment: config.ts does.
 */
// Through the namespace: on a Node without parseEnv the import still links and entry.ts can say why.
import * as util from 'node:util';

export interface EnvFile {
  readonly values: Readonly<Record<string, string | undefined>>;
  /** One sentence per problem, each naming the line and what to do. */
  readonly warnings: readonly string[];
}

const QUOTES = new Set(['"', "'", '`']);

/** Parses `.env` text; `known` lists the settings this server reads. */
export function parseEnvFile(text: string, known: readonly string[]): EnvFile {
  // Spread: Node 26 returns a null-prototype object, Node 22 a plain one.
  const values = { ...util.parseEnv(text) };
  const warnings: string[] = [];
  let openQuote: string | undefined;
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '').trim();
    if (openQuote !== undefined) {
      // Inside a multi-line quoted value: only its closing quote matters.
      if (line.endsWith(openQuote)) openQuote = undefined;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const where = `.env line ${index + 1}`;
    const eq = line.indexOf('=');
    const key = line.slice(0, Math.max(eq, 0)).replace(/^export[ \t]+/, '').trim();
    if (key === '' || /\s/.test(key)) {
      warnings.push(`${where} is not KEY=value and is ignored; fix it or start it with # to mark a comment.`);
      continue;
    }
    const value = line.slice(eq + 1).trim();
    const quote = value[0];
    if (quote !== undefined && QUOTES.has(quote)) {
      if (value.length === 1 || value.indexOf(quote, 1) === -1) openQuote = quote;
    } else if (/[^ \t]#/.test(value)) {
      warnings.push(`${where}: the value of ${key} is cut at "#" (an unquoted # starts a comment); quote the value if the # belongs to it.`);
    }
    if (!known.includes(key)) warnings.push(unknownKey(where, key, known));
  }
  return { values, warnings };
}

function unknownKey(where: string, key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toUpperCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  // A name within a third of its length in edits is a misspelling; anything further is just unknown.
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3))) {
    return `${where}: ${key} is not a setting of this server and is ignored; did you mean ${best}?`;
  }
  return `${where}: ${key} is not a setting of this server and is ignored.`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  // Rows of the dynamic-programming table; a and b are short setting names, so O(|a|·|b|) is fine.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (before[j - 2] as number) + 1);
      current.push(value);
    }
    [before, previous] = [previous, current];
  }
  return previous[b.length] as number;
}
