import { InvalidArgumentError as InvalidOptionError } from 'commander';
import { BackendUnavailableError } from '../../errors/errors.js';
import { isLoopbackHost, parseAllowedHost } from '../../ui/server/allowed-hosts.js';
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT, startDiagnosticsServer, type DiagnosticsServer } from '../../ui/server/diagnostics-server.js';
import { withStoreOptions, type CommandRegistration } from '../command-context.js';
import type { Output } from '../output.js';
import { openStore } from '../store.js';
import { EXIT_OK, UsageError } from '../usage-error.js';

/** Options of `redflow ui`. */
export interface UiCommandOptions {
  port: number;
  host: string;
  readOnly?: boolean;
  basePath?: string;
  /** Host names answered besides the loopback names (`--allowed-host`, repeatable). */
  allowedHost?: string[];
  redis?: string;
  prefix?: string;
  partitions?: number;
}

/** Parses `--port`: decimal digits only (`Number` would also take `0x50` and `8e3`). */
function port(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new InvalidOptionError('expected a port from 0 to 65535');
  return value;
}

/** Collects the repeated `--allowed-host`, each checked as it is parsed. */
function allowedHost(text: string, previous: string[] = []): string[] {
  try {
    parseAllowedHost(text);
  } catch (err) {
    throw new InvalidOptionError((err as Error).message);
  }
  return [...previous, text];
}

/** Resolves on the first SIGINT or SIGTERM. */
function terminationSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * Runs `redflow ui`: serves the diagnostics web UI for the store on `host`:`port` until `stopped` resolves (by
 * default the first SIGINT or SIGTERM), then closes the server and the store. Prints the UI's address on `out`,
 * and on `err` a warning when it listens beyond this machine with its actions switched on. Returns `EXIT_OK`.
 * @throws UsageError when it cannot listen there (port taken, no permission) or the store URL is bad;
 *   InvalidArgumentError when the store refuses the URL's database or the partition count.
 */
export async function runUi(options: UiCommandOptions, output: Output, stopped: Promise<void> = terminationSignal()): Promise<number> {
  // The UI may start before any worker has set the prefix up (one compose file starting both): it may set it up.
  const store = await openStore({ redis: options.redis, prefix: options.prefix, partitions: options.partitions, createPrefix: true });
  try {
    // A store the UI cannot use (a database the server lacks, another partition count) would fail every
    // request: refuse it now. One that is down may come up: the UI says so meanwhile.
    await store.check();
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) {
      await store.close();
      throw err;
    }
    output.err(`redflow: cannot reach the store yet (${err.message}); serving the UI anyway`);
  }
  let server: DiagnosticsServer;
  try {
    server = await startDiagnosticsServer({
      client: store.client,
      port: options.port,
      host: options.host,
      readOnly: options.readOnly === true,
      basePath: options.basePath,
      allowedHosts: options.allowedHost,
    });
  } catch (err) {
    await store.close();
    throw new UsageError(`cannot serve the UI on ${options.host}:${options.port}: ${(err as Error).message}`);
  }
  output.out(`redflow diagnostics UI on ${server.url}${options.readOnly === true ? ' (read-only)' : ''}; Ctrl-C stops it`);
  if (options.readOnly !== true && !isLoopbackHost(options.host)) {
    output.err(
      `redflow ui: warning: listening on ${options.host} without --read-only: anyone who can reach this address can ` +
        'signal, cancel and remove workflow instances (the UI has no login); use --read-only, or put it behind a proxy that authenticates',
    );
  }
  await stopped;
  await server.close();
  await store.close();
  return EXIT_OK;
}

/** `redflow ui`: serves the diagnostics web UI until SIGINT or SIGTERM. */
export const registerUi: CommandRegistration = (program, { output, exit }) => {
  withStoreOptions(
    program
      .command('ui')
      .summary('serve the diagnostics web UI')
      .description(
        'Serve the diagnostics web UI for the store: instances with their histories, parents and children, queues and ' +
          'workers, with signal, cancel and remove (switched off by --read-only). Runs until Ctrl-C or SIGTERM.',
      )
      .option('--port <port>', `TCP port to listen on, 0 for any free one (default: ${DEFAULT_UI_PORT})`, port, DEFAULT_UI_PORT)
      .option('--host <host>', `interface to listen on; 0.0.0.0 for every one (default: ${DEFAULT_UI_HOST})`, DEFAULT_UI_HOST)
      .option('--read-only', 'switch off signal, cancel and remove')
      .option('--base-path <path>', 'serve the UI under this path, e.g. /redflow (for a reverse proxy)')
      .option(
        '--allowed-host <name>',
        'also answer requests to this host name, with an optional :port (repeatable); besides localhost, 127.0.0.1, [::1] and --host, others get 403',
        allowedHost,
      ),
    'to show',
  ).action(async (options: UiCommandOptions) => {
    exit.code = await runUi(options, output);
  });
};
