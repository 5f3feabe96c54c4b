import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { testLogger } from '../helpers/engine.js';
import { useRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { kill, type WorkerProcess } from './worker-process.js';

/** What a crash test shares: its Redis, backends on it, the worker process it disturbs, and what to close after each test. */
export interface CrashFixture {
  server: () => RedisServer;
  /** A backend on the test's Redis under `prefix`, closed after the test. */
  backendOn(prefix: string): RedisBackend;
  /** The worker process the test kills or freezes; killed (thawed first) after the test if still set. */
  holder: WorkerProcess | undefined;
  /** Runs after the test, latest first. */
  closeLater(close: () => Promise<void>): void;
}

/** Registers the hooks of a crash test suite (call inside `describe`) and returns its fixture. */
export function useCrashFixture(): CrashFixture {
  const server = useRedisServer();
  const closers: Array<() => Promise<void>> = [];
  const fixture: CrashFixture = {
    server,
    backendOn(prefix) {
      const backend = new RedisBackend({ redis: server().url, prefix, blockTimeoutMs: 200, logger: testLogger });
      closers.push(() => backend.close());
      return backend;
    },
    holder: undefined,
    closeLater(close) {
      closers.push(close);
    },
  };
  afterEach(async () => {
    if (fixture.holder !== undefined) {
      // A frozen holder must be thawed to die.
      fixture.holder.child.kill('SIGCONT');
      await kill(fixture.holder);
    }
    fixture.holder = undefined;
    for (const close of closers.splice(0).reverse()) await close();
  });
  return fixture;
}
