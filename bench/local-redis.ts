import { startRedisServer, type AofMode } from '../test/helpers/redis-server.js';

export type { AofMode } from '../test/helpers/redis-server.js';

/** A private `redis-server` on a free loopback port. */
export interface LocalRedis {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts the harness's own `redis-server` (the one the tests use), and makes sure a harness that dies of an
 * uncaught error does not leave it running.
 */
export async function startLocalRedis(aof: AofMode): Promise<LocalRedis> {
  let server;
  try {
    server = await startRedisServer({ aof });
  } catch (err) {
    throw new Error(`could not start redis-server (is it on the PATH?): ${String(err)}`);
  }
  const running = server;
  const killOnExit = (): void => running.killNow();
  process.once('exit', killOnExit);
  return {
    url: running.url,
    async stop() {
      process.removeListener('exit', killOnExit);
      await running.stop();
    },
  };
}
