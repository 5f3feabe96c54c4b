import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, type AofMode } from '../test/helpers/redis-server.js';
import { delay } from './clock.js';
import type { RedisTarget } from './redis-target.js';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 30_000;

/** A private Redis Cluster of masters only, on free loopback ports. */
export interface LocalCluster {
  readonly target: RedisTarget;
  stop(): Promise<void>;
}

interface Node {
  port: number;
  child: ChildProcess;
}

function launch(port: number, busPort: number, dir: string, aof: AofMode): ChildProcess {
  const args = ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--daemonize', 'no'];
  args.push(...(aof === 'off' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', aof]));
  return spawn('redis-server', args, { stdio: 'ignore' });
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await delay(50);
  }
  throw new Error(`local Redis Cluster: ${what} within ${READY_TIMEOUT_MS} ms`);
}

// A connection for one check: failing to connect rejects the check instead of logging an unhandled error event.
function checkConnection(port: number): Redis {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  return redis;
}

async function clusterOk(port: number): Promise<boolean> {
  const redis = checkConnection(port);
  try {
    await redis.connect();
    return /^cluster_state:ok/m.test(await redis.cluster('INFO'));
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts `masters` `redis-server --cluster-enabled yes` processes (client and bus ports both free loopback ports,
 * no replicas, no RDB), joins them with `redis-cli --cluster create`, and waits until every node reports
 * `cluster_state:ok`. Kills them all if that fails, and when the harness exits without stopping them.
 */
export async function startLocalCluster(masters: number, aof: AofMode): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redflow-cluster-'));
  const nodes: Node[] = [];
  const killNow = (): void => {
    for (const node of nodes) node.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killNow);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killNow);
    await Promise.all(nodes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const nodeDir = join(dir, String(i));
      mkdirSync(nodeDir);
      const [port, busPort] = [await freePort(), await freePort()];
      nodes.push({ port, child: launch(port, busPort, nodeDir, aof) });
    }
    await Promise.all(nodes.map(({ port, child }) => waitFor(`redis-server on port ${port} did not answer`, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${child.exitCode})`);
      const redis = checkConnection(port);
      try {
        await redis.connect();
        return (await redis.ping()) === 'PONG';
      } finally {
        redis.disconnect();
      }
    })));
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    await Promise.all(nodes.map(({ port }) => waitFor(`node ${port} did not reach cluster_state:ok`, () => clusterOk(port))));
  } catch (err) {
    await stop();
    throw new Error(`could not start a local Redis Cluster (are redis-server and redis-cli on the PATH?): ${String(err)}`);
  }
  const urls = nodes.map(({ port }) => `redis://127.0.0.1:${port}`);
  return { target: { url: urls[0] ?? '', clusterNodes: urls }, stop };
}
