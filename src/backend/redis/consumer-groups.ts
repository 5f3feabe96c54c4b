import type { RedisClient } from './script-runner.js';

/**
 * True for the replies that say a consumer group is gone: `NOGROUP` (the stream or its group does not
 * exist) and `UNBLOCKED` (the stream was deleted while a blocking read waited on it, e.g. by FLUSHALL). A
 * Redis that lost its data (restarted without persistence, flushed, failed over to an empty replica)
 * answers group reads this way until the group is created again; every loop that reads a group treats
 * them as "create it again" (`ensureGroup`), not as a failure to log.
 */
export function isMissingGroupError(err: unknown): boolean {
  return err instanceof Error && /^(NOGROUP|UNBLOCKED) /.test(err.message);
}

/**
 * Creates consumer group `group` on `stream` reading from its first entry, creating the stream if needed
 * (`XGROUP CREATE ... 0 MKSTREAM`); does nothing when the group exists. Starting at `0` matters after a
 * data loss: entries written before the group came back (new instances, messages) are read too.
 */
export async function ensureGroup(client: RedisClient, stream: string, group: string): Promise<void> {
  try {
    await client.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
  }
}
