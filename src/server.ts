/**
 * Entry point: `node dist/server.js`. Reads the configuration once, starts the server, and shuts
 * it down on SIGINT/SIGTERM within a bound. Start-up problems (configuration, an unreadable
 * incidents file) are printed with their fix and exit with status 1, never a stack trace.
 * Node's on-disk compile cache is switched on before the rest of the server is loaded, so a
 * restart reuses the compiled code of the last one (issue 16: start-up).
 */
import nodeModule from 'node:module';

// Node ≥ 22.1: os.tmpdir()/node-compile-cache unless NODE_COMPILE_CACHE names another directory;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Failures are reported in the result, never thrown.
nodeModule.enableCompileCache?.();

const [{ startServer }, { readEnvironment }, { configure, requireSupportedNode, stopOnSignals }] = await Promise.all([
  import('./app.ts'),
  import('./config.ts'),
  import('./entry.ts'),
]);

async function main(): Promise<void> {
  requireSupportedNode();
  const { env, warnings } = readEnvironment();
  const { config, logger } = configure(env, warnings);
  // Signals are handled from before the first log line: a SIGINT that follows it at once is not fatal.
  const running = startServer(config, { logger });
  stopOnSignals(logger, async (graceMs) => (await running).close(graceMs));
  await running;
}

main().catch((error: unknown) => {
  // Start-up failures that carry their own explanation (StoreLoadError, EADDRINUSE) are printed as is.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`incident-mcp-server could not start: ${message}\n`);
  process.exit(1);
});
