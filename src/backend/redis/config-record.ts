import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../../errors/errors.js';
import { configKey } from './keys.js';
import type { RedisContext } from './redis-context.js';

/**
 * Makes sure the prefix's config record (`<prefix>:config`) exists and matches `context`, and returns its
 * `epoch`. The first backend to use a prefix writes `partitions` and a random `epoch`; so does the first
 * one to find the record missing after Redis lost its data, which gives the data a new epoch: a backend
 * that sees another epoch than the one it knew can tell its data was lost even after someone else wrote
 * the record again. Throws `InvalidArgumentError` when the prefix is set up with another partition count.
 */
export async function ensureConfig(context: RedisContext): Promise<string> {
  const { client, prefix, partitions } = context;
  const key = configKey(prefix);
  await client.hsetnx(key, 'partitions', partitions);
  await client.hsetnx(key, 'epoch', randomBytes(8).toString('hex'));
  const [stored, epoch] = await client.hmget(key, 'partitions', 'epoch');
  if (Number(stored) !== partitions) {
    throw new InvalidArgumentError(
      `Redis prefix "${prefix}" is set up with ${stored} partitions, but this RedisBackend was ` +
        `given partitions: ${partitions}. Instances cannot move between partitions: configure ` +
        `partitions: ${stored}, or use another prefix.`,
    );
  }
  return epoch ?? '';
}

/** The stored epoch of the prefix's config record; null when the record (or Redis's data) is gone. */
export async function readConfigEpoch(context: RedisContext): Promise<string | null> {
  return context.client.hget(configKey(context.prefix), 'epoch');
}
