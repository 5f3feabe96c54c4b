import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../errors/errors.js';
import { configKey } from './keys.js';
import type { RedisContext } from './redis-context.js';
import { ScriptRunner } from './script-runner.js';

/**
 * Storage layout this backend reads and writes, stored in the config record (`layout`). 2: inboxes are lists
 * (see lua/lib/inbox.lua); a record without the field was written by a version that kept them in streams.
 */
export const STORAGE_LAYOUT = 2;

/**
 * Makes sure the prefix's config record (`<prefix>:config`) exists and matches `context`, and returns its
 * `epoch`. The first backend to use a prefix writes `partitions`, `layout` and a random `epoch`; so does the
 * first one to find the record missing after Redis lost its data, which gives the data a new epoch: a backend
 * that sees another epoch than the one it knew can tell its data was lost even after someone else wrote
 * the record again. Throws `InvalidArgumentError` when the prefix is set up with another partition count,
 * or holds data in another storage layout.
 */
export async function ensureConfig(context: RedisContext): Promise<string> {
  const { client, prefix, partitions } = context;
  const key = configKey(prefix);
  const runner = new ScriptRunner(client);
  const reply = (await runner.run('ensure-config', [key], [partitions, randomBytes(8).toString('hex'), STORAGE_LAYOUT])) as Array<string | null>;
  const [stored, epoch, layout] = reply;
  if (Number(stored) !== partitions) {
    throw new InvalidArgumentError(
      `Redis prefix "${prefix}" is set up with ${stored} partitions, but this RedisBackend was ` +
        `given partitions: ${partitions}. Instances cannot move between partitions: configure ` +
        `partitions: ${stored}, or use another prefix.`,
    );
  }
  if (Number(layout ?? 1) !== STORAGE_LAYOUT) {
    throw new InvalidArgumentError(
      `Redis prefix "${prefix}" holds data in storage layout ${layout ?? 1}, which this redflow version ` +
        `cannot read (it uses layout ${STORAGE_LAYOUT}). Finish or remove the unfinished instances with the ` +
        `version that wrote them, then run HSET ${key} layout ${STORAGE_LAYOUT}; or use another prefix.`,
    );
  }
  return epoch ?? '';
}

/** The stored epoch of the prefix's config record; null when the record (or Redis's data) is gone. */
export async function readConfigEpoch(context: RedisContext): Promise<string | null> {
  return context.client.hget(configKey(context.prefix), 'epoch');
}
