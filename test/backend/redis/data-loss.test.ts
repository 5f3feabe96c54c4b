import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { configKey } from '../../../src/backend/redis/keys.js';
import { partitionOf } from '../../../src/backend/redis/partition.js';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import { Client } from '../../../src/client/client.js';
import { InstanceNotFoundError, InvalidArgumentError } from '../../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { startEngine, waitUntil } from '../../helpers/engine.js';
import { capturingLogger } from '../../helpers/log-capture.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const PARTITIONS = 4;
const RUNS = 12;

/** An instance id in `partition`. */
function idIn(partition: number, label: string): string {
  for (;;) {
    const id = `${label}-${randomUUID()}`;
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

export async function triple(x: number): Promise<number> {
  return 3 * x;
}

/** Waits for a signal from its parent, sleeps, and triples it in an activity. */
export async function lossChild(ctx: WorkflowContext): Promise<number> {
  const n = await workflow.newSignalChannel<number>(ctx, 'n').receive();
  await workflow.sleep(ctx, 20);
  return workflow.executeActivity(ctx, {}, triple, n);
}

/** Starts a child (in another partition), signals it, runs an activity and a timer: returns 3n + 3n. */
export async function lossParent(ctx: WorkflowContext, n: number, childId: string): Promise<number> {
  const child = workflow.createSubWorkflowInstance(ctx, { instanceId: childId }, lossChild);
  await workflow.signalWorkflow(ctx, childId, 'n', n);
  const own = await workflow.executeActivity(ctx, {}, triple, n);
  await workflow.sleep(ctx, 20);
  return own + (await child);
}

export async function slowTriple(x: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return 3 * x;
}

/** Runs a slow activity: in flight when the data goes. */
export async function inFlight(ctx: WorkflowContext): Promise<number> {
  return workflow.executeActivity(ctx, {}, slowTriple, 1);
}

/** Waits for a signal that never comes. */
export async function waitsForever(ctx: WorkflowContext): Promise<void> {
  await workflow.newSignalChannel<number>(ctx, 'never').receive();
}


type LossMode = 'FLUSHALL' | 'restart without persistence' | 'failover to an empty replica';

/** Makes `server` lose every key (and, for a failover or restart, every loaded script). */
async function loseData(mode: LossMode, server: RedisServer, redis: Redis): Promise<void> {
  if (mode === 'restart without persistence') return server.restart();
  // An empty replica promoted in its place has neither the keys nor the scripts.
  if (mode === 'failover to an empty replica') await redis.script('FLUSH');
  await redis.flushall();
}

for (const mode of ['FLUSHALL', 'restart without persistence', 'failover to an empty replica'] as const) {
  describe(`RedisBackend after Redis lost its data (${mode})`, function () {
    this.timeout(120_000);
    let server: RedisServer;
    let redis: Redis;
    before(async () => {
      server = await startRedisServer({ aof: 'off' });
      redis = new Redis(server.url);
    });
    after(async () => {
      redis.disconnect();
      await server.stop();
    });

    it('one worker and its clients recover every loop and record by themselves', async () => {
      const prefix = `loss-${randomUUID()}`;
      const { logger, lines } = capturingLogger();
      const options = { redis: server.url, prefix, partitions: PARTITIONS, blockTimeoutMs: 200, logger };
      const workerBackend = new RedisBackend(options);
      // A client of its own, as in a process that only starts and waits for workflows.
      const clientBackend = new RedisBackend(options);
      const client = new Client(clientBackend);
      const { stop } = await startEngine(workerBackend, { workflows: [lossParent, lossChild, waitsForever, inFlight], activities: [triple, slowTriple], options: { logger } });
      try {
        const run = async (label: string): Promise<void> => {
          const runs = Array.from({ length: RUNS }, (_, i) => ({
            id: idIn(i % PARTITIONS, `${label}-parent`),
            childId: idIn((i + 1 + Math.floor(i / PARTITIONS)) % PARTITIONS, `${label}-child`),
            n: i,
          }));
          const instances = await Promise.all(runs.map((r) => client.createWorkflowInstance({ instanceId: r.id }, lossParent, r.n, r.childId)));
          const results = await Promise.all(instances.map((inst) => client.getWorkflowResult(inst, 30_000)));
          assert.deepEqual(results, runs.map((r) => 6 * r.n));
        };
        await run('before');
        const waiting = await client.createWorkflowInstance({ instanceId: `waiting-${randomUUID()}` }, waitsForever);
        // Work in flight when the data goes: a slow activity is running.
        await client.createWorkflowInstance({ instanceId: `in-flight-${randomUUID()}` }, inFlight);
        const waitStarted = Date.now();
        const waited = client.getWorkflowResult(waiting, 60_000).then(
          () => assert.fail('a lost instance cannot finish'),
          (err: unknown) => err,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const linesBefore = lines.length;
        await loseData(mode, server, redis);

        const err = await waited;
        assert.ok(err instanceof InstanceNotFoundError, `expected InstanceNotFoundError, got ${String(err)}`);
        assert.ok(Date.now() - waitStarted < 15_000, `the wait on a lost instance ended after ${Date.now() - waitStarted} ms, not near its 60 s timeout`);
        assert.ok(
          await waitUntil(async () => (await redis.hget(configKey(prefix), 'partitions')) === String(PARTITIONS), 10_000),
          'the partition record is written again',
        );

        await run('after');
        // Let every loop go round a few more times: a loop failing for ever would keep logging.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const counts = new Map<string, number>();
        for (const line of lines.slice(linesBefore)) counts.set(line.msg, (counts.get(line.msg) ?? 0) + 1);
        for (const [msg, n] of counts) assert.ok(n <= 2 * PARTITIONS, `"${msg}" logged ${n} times after the loss`);
        assert.equal(lines.slice(linesBefore).filter((line) => line.level >= 50).length, 0, 'no error-level lines');

        // The rewritten record still refuses another partition count.
        const mismatched = new RedisBackend({ ...options, partitions: PARTITIONS + 1 });
        try {
          await assert.rejects(mismatched.getStats(), InvalidArgumentError);
        } finally {
          await mismatched.close();
        }
      } finally {
        await stop();
        await workerBackend.close();
        await clientBackend.close();
      }
    });
  });
}
