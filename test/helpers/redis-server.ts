import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Append-only file setting: `always` fsyncs every write, so `restart()` keeps every acknowledged write. */
export type AofMode = 'always' | 'everysec' | 'off';

/** Options of `startRedisServer`. */
export interface RedisServerOptions {
  /** @default 'off' */
  aof?: AofMode;
  /** More `redis-server` arguments (e.g. `['--cluster-enabled', 'yes']`), after the ones the helper sets. */
  args?: readonly string[];
}

/** A private `redis-server` process on a free loopback port. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Kills the process (SIGKILL when `crash`, else SIGTERM) and, unless `keepData`, removes its directory. */
  stop(options?: { crash?: boolean; keepData?: boolean }): Promise<void>;
  /** Stops the process and starts it again on the same port and directory (data kept only with AOF). */
  restart(options?: { crash?: boolean }): Promise<void>;
  /** Kills the process with SIGKILL and removes its directory at once, without waiting: for `exit` handlers. */
  killNow(): void;
  /** Stops the process (SIGKILL when `crash`, else SIGTERM), keeping its port and directory for `start()`. */
  halt(options?: { crash?: boolean }): Promise<void>;
  /** Starts the process again after `halt()`, on the same port and directory, and waits until it answers. */
  start(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered until `resume()`. */
  pause(): void;
  /** Lets a paused process run again (SIGCONT). */
  resume(): void;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it unless someone took it since). */
export async function freePort(): Promise<number> {
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

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function launch(port: number, dir: string, options: RedisServerOptions): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
  const aof = options.aof ?? 'off';
  args.push(...(aof === 'off' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', aof]));
  args.push(...(options.args ?? []));
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function waitUntilUp(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited (${child.exitCode ?? child.signalCode})`);
    }
    if (await ping(port)) return;
    await sleep(20);
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/**
 * Starts `redis-server` on a free 127.0.0.1 port in a fresh temporary directory, without RDB snapshots
 * and (by default) without AOF, and waits until it answers PING. Tests and the benchmark harness never
 * touch a Redis they did not start.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redflow-redis-'));
  // Another process may grab the port between probing and binding: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let child = launch(port, dir, options);
    try {
      await waitUntilUp(child, port);
    } catch (err) {
      await kill(child, 'SIGKILL');
      if (attempt < 5) continue;
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const stopProcess = async (crash: boolean): Promise<void> => {
      // A paused process acts on SIGTERM only once it runs again.
      child.kill('SIGCONT');
      await kill(child, crash ? 'SIGKILL' : 'SIGTERM');
    };
    const startProcess = async (): Promise<void> => {
      child = launch(port, dir, options);
      await waitUntilUp(child, port);
    };
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop({ crash = false, keepData = false } = {}) {
        await stopProcess(crash);
        if (!keepData) rmSync(dir, { recursive: true, force: true });
      },
      async restart({ crash = false } = {}) {
        await stopProcess(crash);
        await startProcess();
      },
      async halt({ crash = false } = {}) {
        await stopProcess(crash);
      },
      start: startProcess,
      pause() {
        child.kill('SIGSTOP');
      },
      resume() {
        child.kill('SIGCONT');
      },
      killNow() {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * Registers mocha `before`/`after` hooks that start a private Redis for the enclosing suite and stop it;
 * returns a getter for it (valid inside tests and later hooks).
 */
export function useRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  before(async function () {
    this.timeout(20_000);
    server = await startRedisServer(options);
  });
  after(async () => {
    await server?.stop();
    server = undefined;
  });
  return () => {
    if (server === undefined) throw new Error('useRedisServer: the server is only available inside tests and hooks');
    return server;
  };
}
