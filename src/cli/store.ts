import { createLogger } from '../core/logger.js';
import { Client } from '../client/client.js';
import { RedisBackend } from '../backend/redis/redis-backend.js';
import type { WorkflowInstance } from '../core/instance.js';
import { UsageError } from './usage-error.js';

/** Where the command finds the store: the options `--redis`, `--prefix` and `--partitions`. */
export interface StoreOptions {
  redis: string;
  prefix?: string;
  partitions?: number;
}

/** A client on the store, and how to let it go. */
export interface Store {
  client: Client;
  close(): Promise<void>;
}

/**
 * Opens a client on the Redis store the options name. The backend logs nothing unless `REDFLOW_LOG_LEVEL`
 * asks for it (then on standard error, away from the report).
 * @throws UsageError when the URL is not a `redis:` or `rediss:` URL.
 */
export function openStore(options: StoreOptions): Store {
  let url: URL;
  try {
    url = new URL(options.redis);
  } catch {
    throw new UsageError(`--redis ${JSON.stringify(options.redis)} is not a URL (expected redis://host:port)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new UsageError(`--redis ${JSON.stringify(options.redis)} is not a redis:// or rediss:// URL`);
  }
  const logger = createLogger({ name: 'redflow-cli', defaultLevel: 'silent', destination: process.stderr });
  const backend = new RedisBackend({ redis: options.redis, prefix: options.prefix, partitions: options.partitions, logger });
  return { client: new Client(backend), close: () => backend.close() };
}

/** How the report names the active instances of a store. */
export function describeStore(options: StoreOptions): string {
  return `the active instances in ${options.redis} (prefix ${options.prefix ?? 'redflow'})`;
}

/** Page size of the listing: the most `listWorkflowInstances` gives at once. */
const PAGE_SIZE = 1000;

/** Every active execution in the store, newest first, page by page. */
export async function* activeInstances(client: Client): AsyncGenerator<WorkflowInstance> {
  let cursor: string | undefined;
  do {
    const page = await client.listWorkflowInstances(Object.assign({ count: PAGE_SIZE, state: 'active' as const }, cursor === undefined ? {} : { cursor }));
    for (const entry of page.instances) yield entry.instance;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
