/**
 * `npm run build`: type-checks src/ (tsconfig.build.json, as tsc did when it also emitted), then
 * bundles the two entry points, src/server.ts (`npm start`) and src/dev.ts (`npm run dev`), with
 * their dependencies into dist/ with esbuild: one ES module per entry plus shared chunks, so Node
 * reads and compiles a few files at start-up instead of some 400 (issue 16: start-up). What is
 * imported dynamically (undici behind a proxy, the PostgreSQL store) lands in chunks of its own,
 * loaded only when used. `--outdir DIR` builds elsewhere (the benchmark freezes its own copy);
 * `--no-check` skips the type-check.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = new URL('..', import.meta.url).pathname;

const { values } = parseArgs({ options: { outdir: { type: 'string', default: join(ROOT, 'dist') }, 'no-check': { type: 'boolean', default: false } } });
const outdir = values.outdir;

if (!values['no-check']) {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--noEmit'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
}

// A fresh directory: no file of an earlier build (or of tsc's one-file-per-module output) lingers.
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/server.ts', 'src/dev.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  // pg's optional native binding is never installed here; pg requires it only when asked to.
  external: ['pg-native'],
  // The CommonJS dependencies (ajv, pg, prom-client, undici) call require() for Node's builtins.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
});
process.stdout.write(`built ${relative(ROOT, join(outdir, 'server.js'))} and ${relative(ROOT, join(outdir, 'dev.js'))}\n`);
