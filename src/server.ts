/**
 * Entry point: `node dist/server.js`. Reads the configuration once, starts the server, and shuts
 * it down on SIGINT/SIGTERM within a bound. Start-up problems (configuration, an unreadable
 * incidents file) are printed with their fix and exit with status 1, never a stack trace.
 */
import { startServer } from './app.ts';
import { readEnvironment } from './config.ts';
import { configure, requireSupportedNode, stopOnSignals } from './entry.ts';

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
