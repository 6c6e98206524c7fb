/**
 * Architecture checks over the source text (STYLE principles 1, 2, 3, 12, 15): the direction of
 * imports between layers (features see only the feature contract; protocol owns its Identity),
 * one place for era-dependent wire codes, one UTF-8 decoder and one cursor codec, the single
 * reader of `process.env`, file sizes, the module header, no `enum`/`namespace`, the runtime
 * dependency list, and no method named outside its descriptor. Imports are read with a small parser
 * of the ES import/export grammar, so multi-line and `import type` forms are covered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceFeatures } from '../fixtures/conformance/fixture-server.ts';
import { silentLogger } from '../src/log.ts';
import { createProtocolCore } from '../src/protocol/core.ts';
import { FeatureRegistry } from '../src/protocol/registry.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

interface Import {
  /** The file that imports, relative to the repository root with `/` separators. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** `src/…` path for relative specifiers, else the specifier itself (`node:http`, `jose`). */
  readonly target: string;
  /** `import type` / `export type`, or every named binding marked `type`. */
  readonly typeOnly: boolean;
}

function listTs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTs(path));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

const posix = (path: string): string => path.split(sep).join('/');

// ImportClause: default, `* as ns`, `{ named }`, or default followed by one of the other two.
const CLAUSE = String.raw`(?:[\w$]+\s*,\s*)?(?:\*\s*as\s+[\w$]+|\{[^}]*\}|[\w$]+)`;
// ExportFrom: `*`, `* as ns`, or `{ named }`.
const EXPORT_CLAUSE = String.raw`(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\})`;
const STATEMENT = new RegExp(
  String.raw`^[ \t]*(?:import\s+(type\s+)?(${CLAUSE})\s*from|export\s+(type\s+)?(${EXPORT_CLAUSE})\s*from|import)\s*['"]([^'"]+)['"]`,
  'gm',
);

function parseImports(file: string, text: string): Import[] {
  const from = posix(relative(ROOT, file));
  const imports: Import[] = [];
  for (const match of text.matchAll(STATEMENT)) {
    const [, importType, importClause, exportType, exportClause, specifier = ''] = match;
    const clause = importClause ?? exportClause ?? '';
    const named = /^\{([^}]*)\}$/.exec(clause.trim())?.[1];
    const bindings = named?.split(',').map((b) => b.trim()).filter((b) => b !== '') ?? [];
    const allTyped = bindings.length > 0 && bindings.every((b) => b.startsWith('type '));
    const target = specifier.startsWith('.') ? posix(relative(ROOT, resolve(dirname(file), specifier))) : specifier;
    imports.push({ from, specifier, target, typeOnly: importType !== undefined || exportType !== undefined || allTyped });
  }
  return imports;
}

const FILES = listTs(SRC).map((path) => ({ path, name: posix(relative(ROOT, path)), text: readFileSync(path, 'utf8') }));
const IMPORTS = FILES.flatMap((f) => parseImports(f.path, f.text));

function importsOf(layer: string): Import[] {
  return IMPORTS.filter((i) => i.from.startsWith(`src/${layer}/`));
}

function describe(list: readonly Import[]): string {
  return list.map((i) => `${i.from} imports '${i.specifier}'`).join('\n');
}

const isNodeModule = (target: string, name: string): boolean => target === `node:${name}` || target === name;
const under = (target: string, dir: string): boolean => target.startsWith(`src/${dir}/`);

test('the import parser reads multi-line, type-only, re-export and side-effect forms', () => {
  const text = [
    "import type { A } from './a.ts';",
    'import {',
    '  b,',
    '  type C,',
    "} from '../x/b.ts';",
    "import { type D, type E } from './d.ts';",
    "export { f } from './f.ts';",
    "export type { G } from './g.ts';",
    "export * as ns from 'node:http';",
    "import def, * as all from 'jose';",
    "import './side.ts';",
    "const s = 'import x from \"nope\"';",
    'export const from = 1;',
  ].join('\n');
  const got = parseImports(join(SRC, 'protocol', 'z.ts'), text).map((i) => [i.target, i.typeOnly]);
  assert.deepEqual(got, [
    ['src/protocol/a.ts', true],
    ['src/x/b.ts', false],
    ['src/protocol/d.ts', true],
    ['src/protocol/f.ts', false],
    ['src/protocol/g.ts', true],
    ['node:http', false],
    ['jose', false],
    ['src/protocol/side.ts', false],
  ]);
});

test('the import parser finds imports in src at all (guards the checks below against a silent no-op)', () => {
  assert.ok(FILES.length > 20, `only ${FILES.length} files found under src`);
  assert.ok(importsOf('transport').some((i) => under(i.target, 'protocol')), 'transport/ should import protocol/');
  assert.ok(importsOf('protocol').length > 0);
});

test('the import parser sees every line of src that ends an import or re-export statement', () => {
  const missed = FILES.filter((f) => {
    const ends = f.text.match(/^(?:import|export|\}).*\sfrom\s+['"][^'"]+['"];?[ \t]*$/gm)?.length ?? 0;
    return ends !== IMPORTS.filter((i) => i.from === f.name).length;
  });
  assert.deepEqual(missed.map((f) => f.name), []);
});

test('STYLE 2: protocol/ never imports node:http, node:net, transport/, incidents/ or the composition root', () => {
  const bad = importsOf('protocol').filter(
    (i) =>
      isNodeModule(i.target, 'http') ||
      isNodeModule(i.target, 'net') ||
      under(i.target, 'transport') ||
      under(i.target, 'incidents') ||
      i.target === 'src/app.ts' ||
      i.target === 'src/server.ts',
  );
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 2: protocol/ never imports auth/: it owns the plain Identity it reads (issue 11)', () => {
  const bad = importsOf('protocol').filter((i) => under(i.target, 'auth'));
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 2: transport/ never imports incidents/ (the composition root wires them)', () => {
  const bad = importsOf('transport').filter((i) => under(i.target, 'incidents'));
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 2: incidents/ never sees HTTP, tokens or JSON-RPC envelopes', () => {
  const bad = importsOf('incidents').filter(
    (i) =>
      isNodeModule(i.target, 'http') ||
      isNodeModule(i.target, 'net') ||
      under(i.target, 'transport') ||
      under(i.target, 'auth') ||
      i.target === 'src/protocol/messages.ts' ||
      i.target === 'src/protocol/dispatcher.ts',
  );
  assert.deepEqual(bad, [], describe(bad));
});

/** What a feature module may import from protocol/: the definitions it hands in and the domain errors it throws. */
const FEATURE_CONTRACT = new Set(['src/protocol/definitions.ts', 'src/protocol/domain-errors.ts', 'src/protocol/identity.ts']);

test('STYLE 2-3: incidents/ imports from protocol/ only the feature contract, never a JSON-RPC code (issue 11)', () => {
  const bad = importsOf('incidents').filter((i) => under(i.target, 'protocol') && !FEATURE_CONTRACT.has(i.target));
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 3: the domain-error catalogue and the Identity type import nothing, so they hold no wire code', () => {
  const bad = IMPORTS.filter((i) => i.from === 'src/protocol/domain-errors.ts' || i.from === 'src/protocol/identity.ts');
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 3: the era-dependent "resource not found" code is chosen in one place, protocol/wire-errors.ts (issue 11)', () => {
  const users = FILES.filter((f) => f.name !== 'src/protocol/errors.ts' && f.text.includes('ErrorCode.ResourceNotFound')).map((f) => f.name);
  assert.deepEqual(users, ['src/protocol/wire-errors.ts']);
});

/** Modules below every layer: any layer may use them, and they use none. */
const SHARED_LEAVES = ['src/cursor.ts', 'src/utf8.ts'];

test('STYLE 2: the shared leaf modules (cursor codec, UTF-8 decoder) import no src module', () => {
  const bad = IMPORTS.filter((i) => SHARED_LEAVES.includes(i.from) && i.target.startsWith('src/'));
  assert.deepEqual(bad, [], describe(bad));
  for (const leaf of SHARED_LEAVES) assert.ok(FILES.some((f) => f.name === leaf), `${leaf} is missing`);
});

test('one strict UTF-8 decoder (src/utf8.ts) and one cursor codec (src/cursor.ts) in protocol/ and incidents/ (issue 11)', () => {
  const decoders = FILES.filter((f) => f.text.includes('new TextDecoder(')).map((f) => f.name);
  assert.deepEqual(decoders, ['src/utf8.ts']);
  // The sealed requestState (MRTR) is base64url too, but a MAC'd token, not a cursor: its own codec.
  const cursors = FILES.filter((f) => /^src\/(protocol|incidents)\//.test(f.name) && f.text.includes("'base64url'")).map((f) => f.name);
  assert.deepEqual(cursors, ['src/protocol/request-state-codec.ts']);
});

test('STYLE 2: auth/ never imports transport/, incidents/ or protocol/ (except protocol/errors.ts)', () => {
  const bad = importsOf('auth').filter(
    (i) => under(i.target, 'transport') || under(i.target, 'incidents') || (under(i.target, 'protocol') && i.target !== 'src/protocol/errors.ts'),
  );
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 2: every relative import in src resolves to an existing src file', () => {
  const names = new Set(FILES.map((f) => f.name));
  const bad = IMPORTS.filter((i) => i.specifier.startsWith('.') && !names.has(i.target));
  assert.deepEqual(bad, [], describe(bad));
});

test('STYLE 12: only src/config.ts reads process.env', () => {
  const readers = FILES.filter((f) => f.text.includes('process.env')).map((f) => f.name);
  assert.deepEqual(readers, ['src/config.ts']);
});

test('STYLE 1: no src file is over 400 lines (files over 250 are listed as a diagnostic)', (t) => {
  const lines = FILES.map((f) => ({ name: f.name, lines: f.text.split('\n').length - (f.text.endsWith('\n') ? 1 : 0) }));
  const long = lines.filter((f) => f.lines > 250);
  if (long.length > 0) t.diagnostic(`over 250 lines: ${long.map((f) => `${f.name} (${f.lines})`).join(', ')}`);
  const tooLong = lines.filter((f) => f.lines > 400);
  assert.deepEqual(tooLong, []);
});

test('STYLE 15: no enum or namespace declarations in src', () => {
  const declaration = /^[ \t]*(?:export\s+)?(?:declare\s+)?(?:const\s+)?(?:enum|namespace)\s+[\w$]+/m;
  const bad = FILES.filter((f) => declaration.test(f.text)).map((f) => f.name);
  assert.deepEqual(bad, []);
});

test('STYLE 15: nothing in src imports @modelcontextprotocol/sdk at run time', () => {
  const bad = IMPORTS.filter((i) => i.target.startsWith('@modelcontextprotocol/sdk') && !i.typeOnly);
  assert.deepEqual(bad, [], describe(bad));
  const dynamic = FILES.filter((f) => /(?:import|require)\(\s*['"]@modelcontextprotocol\/sdk/.test(f.text)).map((f) => f.name);
  assert.deepEqual(dynamic, []);
});

test('STYLE 10: every src file opens with a /** header comment', () => {
  const bad = FILES.filter((f) => !f.text.startsWith('/**')).map((f) => f.name);
  assert.deepEqual(bad, []);
});

test('STYLE 15: runtime dependencies are exactly those of the design and the issues (ajv, jose, undici; pg and prom-client, issue 13)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}).sort(), ['ajv', 'jose', 'pg', 'prom-client', 'undici']);
});

test('STYLE 15: every bare import in src is a node: builtin or a declared runtime dependency', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const allowed = new Set(Object.keys(pkg.dependencies ?? {}));
  const pkgName = (s: string): string => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string));
  const bad = IMPORTS.filter((i) => !i.specifier.startsWith('.') && !i.specifier.startsWith('node:') && !i.typeOnly && !allowed.has(pkgName(i.specifier)));
  assert.deepEqual(bad, [], describe(bad));
});

/** Files that still name served methods outside a descriptor, each with its reason (none today). */
const NAMES_METHODS_PENDING = new Set<string>();

test('STYLE 6: outside the descriptors, protocol/ and transport/ name no method they serve (issue 11)', () => {
  const core = createProtocolCore(new FeatureRegistry().add(conformanceFeatures()), { name: 'n', version: '1' }, silentLogger);
  const served = [...core.dispatcher.requestMethods(), ...core.dispatcher.notificationMethods()].map((d) => d.method);
  assert.ok(served.length >= 15, 'every kind of method is registered');
  const literal = new RegExp(String.raw`'(${served.map((m) => m.replaceAll('/', '\\/')).join('|')})'`, 'g');
  const found: string[] = [];
  for (const { name, text } of FILES) {
    if (!(name.startsWith('src/protocol/') || name.startsWith('src/transport/')) || NAMES_METHODS_PENDING.has(name)) continue;
    for (const line of text.split('\n')) {
      // A descriptor names its own method: `method: '…'`, or through the list recipe.
      const rest = line.replace(/method: '[^']*'/, '').replace(/constantListMethod\('[^']*'/, '');
      for (const match of rest.matchAll(literal)) found.push(`${name}: ${match[0]}`);
    }
  }
  assert.deepEqual(found, []);
});
