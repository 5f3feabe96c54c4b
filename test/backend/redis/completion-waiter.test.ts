import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { AnnouncementConnection } from '../../../src/backend/redis/announcement-connection.js';
import { CompletionWaiter } from '../../../src/backend/redis/completion-waiter.js';
import { DataLossWatch } from '../../../src/backend/redis/data-loss-watch.js';
import { testLogger } from '../../helpers/engine.js';
import { useRedisServer } from '../../helpers/redis-server.js';

describe('CompletionWaiter', () => {
  const server = useRedisServer();

  it('subscribes to another channel while its connection is still coming up without failing the wait', async function () {
    this.timeout(60_000);
    const base = new Redis(server().url);
    const watch = new DataLossWatch({ client: base, prefix: 'completion-waiter-test', partitions: 1 }, testLogger);
    let waiter: CompletionWaiter | undefined;
    let announcements: AnnouncementConnection | undefined;
    try {
      // A second subscription a few milliseconds after the first lands while the new subscriber connection is
      // still in its handshake: the moment at which ioredis's own ready check used to fail in subscriber mode.
      for (let i = 0; i < 200; i++) {
        announcements = new AnnouncementConnection(base);
        waiter = new CompletionWaiter(announcements, testLogger, watch);
        const first = waiter.wait('channel-a', 'm', 5_000, () => Promise.resolve('finished'));
        await new Promise((resolve) => setTimeout(resolve, i % 12));
        const second = waiter.wait('channel-b', 'm', 5_000, () => Promise.resolve('finished'));
        let timer: NodeJS.Timeout | undefined;
        const stuck = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`round ${i}: the waits did not settle within 5 s`)), 5_000);
        });
        try {
          assert.deepEqual(await Promise.race([Promise.all([first, second]), stuck]), ['finished', 'finished'], `round ${i}`);
        } finally {
          clearTimeout(timer);
        }
        waiter.close();
        announcements.disconnect();
      }
    } finally {
      waiter?.close();
      announcements?.disconnect();
      await watch.stop();
      base.disconnect();
    }
  });

  it('lets the first read answer even when the wait times out before it returns', async () => {
    const base = new Redis(server().url);
    const watch = new DataLossWatch({ client: base, prefix: 'completion-waiter-first-read', partitions: 1 }, testLogger);
    const announcements = new AnnouncementConnection(base);
    const waiter = new CompletionWaiter(announcements, testLogger, watch);
    // The read's own timer is set after the wait's 0 ms timeout, so the timeout always fires first.
    const answers = <T>(value: T) => () => new Promise<T>((resolve) => setTimeout(() => resolve(value), 50));
    try {
      assert.equal(await waiter.wait('channel-first-read', 'm', 0, answers('ended')), 'ended');
      assert.equal(await waiter.wait('channel-first-read', 'm', 0, answers(undefined)), undefined);
    } finally {
      waiter.close();
      announcements.disconnect();
      await watch.stop();
      base.disconnect();
    }
  });
});
