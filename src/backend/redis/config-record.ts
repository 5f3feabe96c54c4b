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
  const runner = new ScriptRunner(context.client);
  const reply = (await runner.run('ensure-config', [configKey(context.prefix)], [context.partitions, randomBytes(8).toString('hex'), STORAGE_LAYOUT])) as Array<string | null>;
  return verifiedEpoch(context, reply);
}

/**
 * `ensureConfig` for a caller that only looks at a store (the command line): reads the prefix's config record
 * without ever writing it, so a mistyped prefix leaves nothing behind, and returns its `epoch`.
 * @throws InvalidArgumentError when the prefix has no record (no backend used it, or Redis lost its data), is
 *   set up with another partition count, or holds data in another storage layout.
 */
export async function readExistingConfig(context: RedisContext): Promise<string> {
  const key = configKey(context.prefix);
  const reply = await context.client.hmget(key, 'partitions', 'epoch', 'layout');
  if (reply[0] === null) {
    throw new InvalidArgumentError(`Redis has no redflow store under prefix "${context.prefix}" (no ${key}): check the prefix; a worker or client sets it up on first use`);
  }
  return verifiedEpoch(context, reply);
}

/** The epoch of a config record `{ partitions, epoch, layout }`, once it matches `context`; see `ensureConfig`. */
function verifiedEpoch(context: RedisContext, [stored, epoch, layout]: Array<string | null>): string {
  const { prefix, partitions } = context;
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
        `version that wrote them, then run HSET ${configKey(prefix)} layout ${STORAGE_LAYOUT}; or use another prefix.`,
    );
  }
  return epoch ?? '';
}

/** The stored epoch of the prefix's config record; null when the record (or Redis's data) is gone. */
export async function readConfigEpoch(context: RedisContext): Promise<string | null> {
  return context.client.hget(configKey(context.prefix), 'epoch');
}
