import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { delay } from './clock.js';

/** Append-only file setting of a Redis the harness starts itself. */
export type AofMode = 'always' | 'everysec' | 'off';

/** A private `redis-server` on a free loopback port. */
export interface LocalRedis {
  readonly url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function launch(port: number, dir: string, aof: AofMode): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
  args.push(...(aof === 'off' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', aof]));
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function answers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Starts `redis-server` on a free 127.0.0.1 port in a fresh temporary directory, without RDB snapshots. */
export async function startLocalRedis(aof: AofMode): Promise<LocalRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'redflow-bench-'));
  // Another process may take the port between probing and binding: try a few.
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await freePort();
    const child = launch(port, dir, aof);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && child.exitCode === null && !(await answers(url))) await delay(20);
    if (child.exitCode === null && (await answers(url))) {
      // A harness that dies of an uncaught error must not leave its Redis running.
      const killOnExit = (): void => {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      };
      process.once('exit', killOnExit);
      return {
        url,
        async stop() {
          process.removeListener('exit', killOnExit);
          child.kill('SIGTERM');
          await exited;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    child.kill('SIGKILL');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('could not start redis-server (is it on the PATH?)');
}
