import { InvalidArgumentError as InvalidOptionError, type Command } from 'commander';
import type { Client } from '../client/client.js';
import type { Output } from './output.js';
import { openStore, storeUrl } from './store.js';
import { BackendUnavailableError } from '../errors/errors.js';
import { redactedRedisUrl } from '../backend/redis/redis-url.js';
import { toJson } from './format/values.js';

/** What every command's registration gets: where to write, and where to put its exit status. */
export interface CommandContext {
  output: Output;
  /** The command's action sets `code` (an `EXIT_*` status); it stays `EXIT_OK` otherwise. */
  exit: { code: number };
}

/** Adds a command to the `redflow` program (see `program.ts`, one line per command). */
export type CommandRegistration = (program: Command, context: CommandContext) => void;

/** The connection options of a command that reads the store, and `--json`. */
export interface StoreCommandOptions {
  redis?: string;
  prefix?: string;
  partitions?: number;
  json?: boolean;
}

/**
 * Parses a positive integer option, written in decimal digits (`Number` alone would take `1e3`, `0x10`, ` 5`);
 * commander reports the error as a usage error.
 */
export function positiveInteger(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError('expected a positive integer in decimal digits');
  return value;
}

/** Adds `--redis`, `--prefix` and `--partitions` to `command`; `what` says what it does with the store. */
export function withStoreOptions(command: Command, what: string): Command {
  return command
    .option('--redis <url>', `Redis URL of the store ${what} (default: $REDIS_URL, else redis://127.0.0.1:6379)`)
    .option('--prefix <prefix>', 'key prefix of the store (default: redflow)')
    .option('--partitions <n>', 'partition count the prefix is set up with (default: 1)', positiveInteger);
}

/** Adds the store options and `--json` to a command that reads or changes the store. */
export function storeCommand(command: Command, what: string): Command {
  return withStoreOptions(command, what).option('--json', 'write JSON (dates as ISO 8601 strings) instead of a table');
}

/**
 * Runs `use` with a client on the store the options name, and closes it after.
 * @throws UsageError for a `--redis` that is not a redis URL; whatever `use` throws.
 */
export async function withClient<T>(options: StoreCommandOptions, use: (client: Client) => Promise<T>): Promise<T> {
  const store = await openStore({ redis: options.redis, prefix: options.prefix, partitions: options.partitions });
  try {
    return await use(store.client);
  } catch (err) {
    // The backend's message names its option; the reader needs to know which store it could not reach.
    if (err instanceof BackendUnavailableError) {
      const { url, source } = storeUrl(options.redis);
      throw new BackendUnavailableError(`${redactedRedisUrl(url)} (${source}): ${err.message}`, { cause: err });
    }
    throw err;
  } finally {
    await store.close();
  }
}

/** Writes `value` as one JSON document on standard output (indented for a reader; parsers do not mind). */
export function writeJson(output: Output, value: unknown): void {
  output.out(toJson(value, 2));
}
