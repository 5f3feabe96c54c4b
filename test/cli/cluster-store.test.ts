import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { partitionOf } from '../../src/backend/redis/partition.js';
import { runCli } from '../../src/cli/program.js';
import type { Output } from '../../src/cli/output.js';
import { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { Worker } from '../../src/worker/worker.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { testLogger } from '../helpers/engine.js';
import { redisBackendOnCluster, redisOptionsOf } from '../helpers/redis-backends.js';
import { useRedisCluster } from '../helpers/redis-cluster.js';

const PARTITIONS = 8;

async function waitsForGo(ctx: WorkflowContext, n: number): Promise<number> {
  const extra = await workflow.newSignalChannel<number>(ctx, 'go').receive();
  return n + extra;
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

describe('redflow command line on a Redis Cluster (a URL of one node reaches the whole cluster)', function () {
  this.timeout(60_000);
  const cluster = useRedisCluster({ masters: 3 });
  // The suite's hooks go in a describe of their own so that its `after` ends the worker before the cluster stops.
  describe('with a worker on 8 partitions', () => {
    let backend: RedisBackend;
    let worker: Worker;
    let client: Client;
    let prefix: string;
    const instances: Array<WorkflowInstance<number>> = [];

    async function redflow(nodePort: number, ...args: string[]): Promise<CliRun> {
      const out: string[] = [];
      const err: string[] = [];
      const output: Output = { out: (line) => out.push(line), err: (line) => err.push(line) };
      const store = ['--redis', `redis://127.0.0.1:${nodePort}`, '--prefix', prefix, '--partitions', String(PARTITIONS)];
      const code = await runCli(['node', 'redflow', ...args, ...store], output);
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    }

    async function keysOnEveryNode(pattern: string): Promise<string[]> {
      const found = await Promise.all(
        cluster().nodes.map(async (node) => {
          const connection = new Redis(node.port);
          try {
            return await connection.keys(pattern);
          } finally {
            connection.disconnect();
          }
        }),
      );
      return found.flat();
    }

    before(async function () {
      backend = redisBackendOnCluster(cluster(), { partitions: PARTITIONS });
      prefix = redisOptionsOf(backend).prefix as string;
      worker = new Worker(backend, { logger: testLogger });
      worker.registerWorkflow(waitsForGo);
      await worker.start();
      client = new Client(backend);
      // Instances in every partition, so every master holds some of them.
      for (let partition = 0; partition < PARTITIONS; partition++) {
        let instanceId: string;
        do instanceId = `cli-${randomUUID()}`;
        while (partitionOf(instanceId, PARTITIONS) !== partition);
        instances.push(await client.createWorkflowInstance({ instanceId }, waitsForGo, partition));
      }
    });

    after(async () => {
      await worker?.stop();
      await backend?.close();
    });

    it('lists the instances of every master through any one node', async () => {
      for (const node of cluster().nodes) {
        const run = await redflow(node.port, 'list', '--json');
        assert.equal(run.code, 0, run.stderr);
        const listed = JSON.parse(run.stdout) as { instances: Array<{ instanceId: string }> };
        assert.deepEqual(listed.instances.map((i) => i.instanceId).sort(), instances.map((i) => i.instanceId).sort(), `through the node on ${node.port}`);
      }
    });

    it('signals an instance on another master, which then finishes, and shows it', async () => {
      const [first] = cluster().nodes;
      assert.ok(first !== undefined);
      for (const instance of instances) {
        const run = await redflow(first.port, 'signal', instance.instanceId, 'go', '--arg', '100');
        assert.equal(run.code, 0, run.stderr);
      }
      for (const [n, instance] of instances.entries()) {
        assert.equal(await client.getWorkflowResult<number>(instance, 20_000), n + 100);
      }
      const shown = await redflow(first.port, 'show', instances.at(-1)?.instanceId ?? '', '--json');
      assert.equal(shown.code, 0, shown.stderr);
      assert.equal((JSON.parse(shown.stdout) as { state: string }).state, 'finished');
    });

    it('refuses a database other than 0 on a Cluster, as a usage error', async () => {
      const [first] = cluster().nodes;
      assert.ok(first !== undefined);
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(['node', 'redflow', 'list', '--redis', `redis://127.0.0.1:${first.port}/2`, '--prefix', prefix], { out: (l) => out.push(l), err: (l) => err.push(l) });
      assert.equal(code, 2);
      assert.match(err.join('\n'), /names a database, but a Redis Cluster has only database 0/);
      assert.deepEqual(out, []);
    });

    it('ends with exit 2 within its timeouts when a master does not answer, instead of waiting for it for good', async () => {
      const [seed, , frozen] = cluster().nodes;
      assert.ok(seed !== undefined && frozen !== undefined);
      frozen.pause();
      try {
        const started = Date.now();
        const run = await redflow(seed.port, 'stats');
        const tookMs = Date.now() - started;
        assert.equal(run.code, 2, run.stdout);
        assert.match(run.stderr, /^redflow: cannot reach the store/);
        // commandTimeoutMs (5 s), then closing the store waits 1 s at most for the frozen node.
        assert.ok(tookMs < 15_000, `the command took ${tookMs} ms`);
      } finally {
        frozen.resume();
        await cluster().waitUntilHealthy(30_000);
      }
    });

    it('a RedisBackend given a single-node client or URL of a Cluster node refuses it clearly, changing nothing', async () => {
      const [first] = cluster().nodes;
      assert.ok(first !== undefined);
      for (const redis of [first.url, new Redis(first.port, { lazyConnect: true })]) {
        const refusedPrefix = `cli-${randomUUID()}`;
        const single = new RedisBackend({ redis, prefix: refusedPrefix, logger: testLogger });
        try {
          await assert.rejects(single.connect(), (err: unknown) => {
            assert.ok(err instanceof InvalidArgumentError, String(err));
            assert.match(err.message, /the server is a Redis Cluster node; pass an ioredis Cluster/);
            return true;
          });
          await assert.rejects(new Client(single).listWorkflowInstances(), InvalidArgumentError);
        } finally {
          await single.close();
          if (typeof redis !== 'string') redis.disconnect();
        }
        assert.deepEqual(await keysOnEveryNode(`${refusedPrefix}*`), [], 'nothing was written');
      }
    });
  });
});
