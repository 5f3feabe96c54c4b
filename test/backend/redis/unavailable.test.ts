import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import type { RedisBackendOptions } from '../../../src/backend/redis/options.js';
import { Client } from '../../../src/client/client.js';
import { BackendUnavailableError, InvalidArgumentError } from '../../../src/errors/errors.js';
import { Worker } from '../../../src/worker/worker.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { waitUntil } from '../../helpers/engine.js';
import { captureLogs } from '../../helpers/log-capture.js';
import { freePort, useRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const TIMEOUT_MS = 500;
// What a loaded CI machine may add to a bound.
const SLACK_MS = 3_000;

async function double(n: number): Promise<number> {
  return n * 2;
}

async function doubleLater(ctx: WorkflowContext, n: number): Promise<number> {
  await workflow.sleep(ctx, 300);
  return workflow.executeActivity(ctx, {}, double, n);
}

/** Runs `call`, asserts it rejects with `BackendUnavailableError` within `boundMs`, and returns the error. */
async function rejectsUnavailable(call: () => Promise<unknown>, boundMs: number, what: string): Promise<BackendUnavailableError> {
  const started = Date.now();
  const err = await call().then(
    () => assert.fail(`${what} resolved`),
    (e: unknown) => e,
  );
  const elapsed = Date.now() - started;
  assert.ok(err instanceof BackendUnavailableError, `${what} rejected with ${String(err)}`);
  assert.equal(err.code, 'BACKEND_UNAVAILABLE');
  assert.ok(elapsed < boundMs, `${what} took ${elapsed} ms (bound ${boundMs} ms)`);
  return err;
}

/** Every client and worker call that needs the store, on `backend`: each must reject with `BackendUnavailableError`. */
async function assertEveryCallUnavailable(backend: RedisBackend, boundMs: number): Promise<void> {
  const client = new Client(backend);
  const instance = { instanceId: `i-${randomUUID()}`, executionId: randomUUID() };
  await rejectsUnavailable(() => backend.connect(), boundMs, 'backend.connect()');
  await rejectsUnavailable(() => client.createWorkflowInstance({ instanceId: `i-${randomUUID()}` }, doubleLater, 1), boundMs, 'createWorkflowInstance');
  await rejectsUnavailable(() => client.getStats(), boundMs, 'getStats');
  await rejectsUnavailable(() => client.getWorkflowResult(instance, 30_000), boundMs, 'getWorkflowResult');
  await rejectsUnavailable(() => client.signalWorkflow(instance.instanceId, 'go', 1), boundMs, 'signalWorkflow');
  const worker = new Worker(backend, { logger: captureLogs().logger }).registerWorkflow(doubleLater).registerActivity(double);
  await rejectsUnavailable(() => worker.start(), boundMs, 'worker.start()');
}

describe('RedisBackend with an unreachable store', function () {
  this.timeout(60_000);
  const opened: RedisBackend[] = [];
  const clients: Redis[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((backend) => backend.close()));
    for (const client of clients.splice(0)) client.disconnect();
  });

  function backendOn(redis: string | Redis, options: RedisBackendOptions = {}): RedisBackend {
    const backend = new RedisBackend({
      redis,
      prefix: `test-${randomUUID()}`,
      connectTimeoutMs: TIMEOUT_MS,
      commandTimeoutMs: TIMEOUT_MS,
      blockTimeoutMs: 200,
      ...options,
    });
    opened.push(backend);
    return backend;
  }

  describe('a URL where nothing listens', () => {
    it('rejects every call with BackendUnavailableError within connectTimeoutMs, and logs the outage once', async () => {
      const logs = captureLogs();
      const backend = backendOn(`redis://127.0.0.1:${await freePort()}`, { logger: logs.logger });
      const err = await rejectsUnavailable(() => backend.connect(), TIMEOUT_MS + SLACK_MS, 'the first call');
      assert.match(err.message, /connectTimeoutMs/);
      assert.equal((err.cause as { code?: string } | undefined)?.code, 'ECONNREFUSED', 'the driver\'s error is the cause');
      await assertEveryCallUnavailable(backend, TIMEOUT_MS + SLACK_MS);
      // ioredis retried many times meanwhile (it reconnects at least every second): still one line.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(logs.count('redis connection lost'), 1);
      assert.equal(logs.lines.filter((line) => line.level >= 40).length, 1, JSON.stringify(logs.lines.filter((l) => l.level >= 40)));
    });

    it('bounds the calls on a passed-in ioredis client too, without queueing them in it', async () => {
      const redis = new Redis(`redis://127.0.0.1:${await freePort()}`, { lazyConnect: true });
      redis.on('error', () => undefined);
      clients.push(redis);
      const backend = backendOn(redis, { logger: captureLogs().logger });
      await assertEveryCallUnavailable(backend, TIMEOUT_MS + SLACK_MS);
      assert.equal((redis as unknown as { offlineQueue: unknown[] }).offlineQueue.length, 0, 'no command left waiting in the client');
    });
  });

  describe('a Redis that goes away', () => {
    const server = useRedisServer({ aof: 'always' });
    let current: RedisServer | undefined;

    afterEach(async () => {
      // Whatever a test did to the server, leave it running for the next one.
      current?.resume();
      if (current !== undefined && !(await reachable(current))) await current.start();
      current = undefined;
    });

    async function reachable(target: RedisServer): Promise<boolean> {
      const probe = new Redis(target.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }

    it('rejects calls within commandTimeoutMs when the server is stopped mid-run, and works again when it returns', async () => {
      current = server();
      const backend = backendOn(current.url, { logger: captureLogs().logger });
      const client = new Client(backend);
      await backend.connect();
      const waiting = await client.createWorkflowInstance({ instanceId: `waiting-${randomUUID()}` }, doubleLater, 1);
      // No worker runs it: the wait only ends with the outage.
      const result = client.getWorkflowResult(waiting, 60_000).then(
        () => assert.fail('the wait resolved'),
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const halted = Date.now();
      await current.halt();
      const err = await result;
      assert.ok(err instanceof BackendUnavailableError, `a wait in progress rejected with ${String(err)}`);
      assert.ok(Date.now() - halted < TIMEOUT_MS * 2 + SLACK_MS, 'a wait in progress rejected within the bound');
      await assertEveryCallUnavailable(backend, TIMEOUT_MS * 2 + SLACK_MS);
      await current.start();
      assert.ok(await waitUntil(() => client.getStats().then(() => true, () => false), 10_000), 'calls work again');
    });

    it('rejects calls within commandTimeoutMs while the server is paused (SIGSTOP), and works again after SIGCONT', async () => {
      current = server();
      const logs = captureLogs();
      const backend = backendOn(current.url, { logger: logs.logger });
      const client = new Client(backend);
      await backend.connect();
      current.pause();
      const err = await rejectsUnavailable(() => client.getStats(), TIMEOUT_MS + SLACK_MS, 'getStats on a paused server');
      assert.match(err.message, /commandTimeoutMs/);
      await assertEveryCallUnavailable(backend, TIMEOUT_MS * 2 + SLACK_MS);
      current.resume();
      assert.ok(await waitUntil(() => client.getStats().then(() => true, () => false), 10_000), 'calls work again');
      assert.equal(logs.count('redis connection lost'), 1);
      assert.equal(logs.count('redis connection restored'), 1);
    });

    it('logs a Redis that answers it cannot serve commands (BUSY) as such, not as a lost connection, once each way', async () => {
      current = server();
      const logs = captureLogs();
      const backend = backendOn(current.url, { logger: logs.logger });
      const client = new Client(backend);
      await backend.connect();
      const admin = new Redis(current.url);
      const busy = new Redis(current.url);
      clients.push(admin, busy);
      await admin.config('SET', 'busy-reply-threshold', '100');
      // A script that runs until killed: after 100 ms Redis answers every other command with BUSY.
      const looping = busy.eval('while true do end', 0).catch((err: unknown) => err);
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let i = 0; i < 3; i++) {
        const err = await rejectsUnavailable(() => client.getStats(), TIMEOUT_MS + SLACK_MS, 'getStats while Redis is busy');
        assert.match(err.message, /BUSY/);
      }
      await admin.script('KILL');
      await looping;
      assert.ok(await waitUntil(() => client.getStats().then(() => true, () => false), 10_000), 'calls work again');
      await admin.config('SET', 'busy-reply-threshold', '5000');
      assert.equal(logs.count('redis serves commands again'), 0, 'no recovery is logged within 5 s of the latest refusal');
      await new Promise((resolve) => setTimeout(resolve, 5_100));
      await client.getStats();
      assert.equal(logs.count('redis connection lost'), 0, 'the connection was never lost');
      assert.equal(logs.count('redis answers that it cannot serve commands now'), 1);
      assert.equal(logs.count('redis serves commands again'), 1);
    });

    it('lets blocking reads wait blockTimeoutMs beyond commandTimeoutMs, and bounds them by the sum when Redis hangs', async () => {
      current = server();
      const backend = backendOn(current.url, { commandTimeoutMs: 200, blockTimeoutMs: 1_000, logger: captureLogs().logger });
      const poll = (): Promise<unknown[]> =>
        backend.pollWorkflowTasks({ queues: ['default'], max: 1, lockTimeoutMs: 5_000, signal: new AbortController().signal, knownHistoryLength: () => 0 });
      await poll(); // creates the consumer group and runs the first reclaim
      const started = Date.now();
      assert.deepEqual(await poll(), []);
      assert.ok(Date.now() - started >= 900, 'the read blocked for blockTimeoutMs, longer than commandTimeoutMs');
      const reading = poll();
      await new Promise((resolve) => setTimeout(resolve, 100));
      current.pause();
      await rejectsUnavailable(() => reading, 1_000 + 200 + SLACK_MS, 'a blocking read on a paused server');
    });

    it('keeps a worker running while Redis is down; it finishes the workflows once Redis returns, logging the outage once', async () => {
      current = server();
      const logs = captureLogs();
      const backend = backendOn(current.url, { logger: logs.logger });
      const client = new Client(backend);
      const worker = new Worker(backend, { logger: logs.logger, workflowLockTimeoutMs: 2_000, activityLockTimeoutMs: 2_000 });
      worker.registerWorkflow(doubleLater).registerActivity(double);
      await worker.start();
      try {
        const before = await Promise.all([1, 2, 3].map((n) => client.createWorkflowInstance({ instanceId: `before-${randomUUID()}` }, doubleLater, n)));
        await current.halt();
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        await current.start();
        assert.ok(await waitUntil(() => client.getStats().then(() => true, () => false), 10_000), 'calls work again');
        const after = await client.createWorkflowInstance({ instanceId: `after-${randomUUID()}` }, doubleLater, 10);
        assert.deepEqual(await Promise.all(before.map((instance) => client.getWorkflowResult(instance, 20_000))), [2, 4, 6]);
        assert.equal(await client.getWorkflowResult(after, 20_000), 20);
      } finally {
        await worker.stop();
      }
      assert.equal(logs.count('redis connection lost'), 1, 'one line when the connection goes');
      assert.equal(logs.count('redis connection restored'), 1, 'one line when it returns');
      const warnings = logs.lines.filter((line) => line.level >= 40);
      assert.ok(warnings.length <= 5, `not one line per retry: ${JSON.stringify(warnings.map((line) => line.msg))}`);
    });
  });

  describe('a prefix set up with other partitions', () => {
    const server = useRedisServer();

    it('makes worker.start() reject with InvalidArgumentError, and nothing is logged over and over', async () => {
      const prefix = `test-${randomUUID()}`;
      await backendOn(server().url, { prefix, partitions: 2 }).connect();
      const logs = captureLogs();
      const backend = backendOn(server().url, { prefix, partitions: 4, logger: logs.logger });
      const worker = new Worker(backend, { logger: logs.logger }).registerWorkflow(doubleLater).registerActivity(double);
      const err = await worker.start().then(
        () => assert.fail('start() resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof InvalidArgumentError, String(err));
      assert.match(err.message, /is set up with 2 partitions, but this RedisBackend was given partitions: 4/);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.deepEqual(logs.lines.filter((line) => line.level >= 40), [], 'a worker that did not start logs nothing');
      await worker.stop();
    });
  });
});
