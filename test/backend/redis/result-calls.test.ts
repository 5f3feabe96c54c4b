import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { configKey } from '../../../src/backend/redis/keys.js';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import { Client } from '../../../src/client/client.js';
import type { WorkflowInstanceRef } from '../../../src/core/instance.js';
import { workflow, type WorkflowContext } from '../../../src/workflow/index.js';
import { startEngine, waitUntil } from '../../helpers/engine.js';
import { redisBackendOn, redisOptionsOf } from '../../helpers/redis-backends.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const COUNTED = 'redflow-counted-client';

async function addOne(_ctx: WorkflowContext, x: number): Promise<number> {
  return Promise.resolve(x + 1);
}

async function awaitsGo(ctx: WorkflowContext): Promise<string> {
  await workflow.newSignalChannel(ctx, 'go').receive();
  return 'went';
}

/** Continues as new until run 2, then returns its run number. */
async function runsThrice(ctx: WorkflowContext, run: number): Promise<number> {
  if (run < 2) workflow.continueAsNew(ctx, run + 1);
  return Promise.resolve(run);
}

// What getWorkflowResult costs in Redis commands: the client's connection (and its subscriber) are counted,
// the worker's are not. The data-loss watch's look at the config record runs on its own clock and is left out.
describe('getWorkflowResult: Redis commands sent', () => {
  let server: RedisServer;
  const sent: string[] = [];
  let answered = 0;
  const { sendCommand } = Redis.prototype; // eslint-disable-line @typescript-eslint/unbound-method -- rebound below with apply
  let workerBackend: RedisBackend;
  let connection: Redis;
  let backend: RedisBackend;
  let client: Client;
  let starter: Client;
  let stopWorker: () => Promise<void>;

  before(async function () {
    this.timeout(30_000);
    server = await startRedisServer();
    workerBackend = redisBackendOn(server);
    const engine = await startEngine(workerBackend, { workflows: [addOne, awaitsGo, runsThrice] });
    starter = engine.client;
    stopWorker = engine.stop;
    const options = redisOptionsOf(workerBackend);
    const config = configKey(options.prefix ?? '');
    Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis['sendCommand']>) {
      const [command] = args;
      if (this.options.connectionName === COUNTED && !command.args.includes(config)) {
        sent.push(command.name.toLowerCase());
        command.promise.then(() => answered++, () => answered++);
      }
      return sendCommand.apply(this, args);
    };
    connection = new Redis(server.url, { connectionName: COUNTED });
    backend = new RedisBackend({ ...options, redis: connection });
    client = new Client(backend);
    // Connecting and subscribing to the partition's channel happen once per backend, not per call.
    const warm = await starter.createWorkflowInstance({ instanceId: 'warm-up' }, addOne, 0);
    await client.getWorkflowResult(warm, 10_000);
  });

  after(async () => {
    Redis.prototype.sendCommand = sendCommand;
    await stopWorker();
    await backend.close();
    await workerBackend.close();
    connection.disconnect();
    await server.stop();
  });

  async function commandsOf(call: () => Promise<unknown>): Promise<string[]> {
    sent.length = 0;
    await call();
    return [...sent];
  }

  async function finished(instanceId: string): Promise<WorkflowInstanceRef<number>> {
    const instance = await starter.createWorkflowInstance({ instanceId }, addOne, 41);
    assert.equal(await starter.getWorkflowResult(instance, 10_000), 42);
    return instance;
  }

  it('reads a finished execution in one script call', async () => {
    const instance = await finished('finished-ref');
    assert.deepEqual(await commandsOf(() => client.getWorkflowResult(instance, 10_000)), ['evalsha']);
    assert.deepEqual(await commandsOf(() => client.waitForWorkflowInstance(instance, 10_000)), ['evalsha']);
  });

  it('looks the latest execution of an id up first: two calls', async () => {
    const { instanceId } = await finished('finished-id');
    assert.deepEqual(await commandsOf(() => client.getWorkflowResult({ instanceId }, 10_000)), ['hget', 'evalsha']);
  });

  it('answers a finished execution even with no time left to wait', async () => {
    const instance = await finished('finished-no-time');
    assert.equal(await client.getWorkflowResult(instance, 0), 42);
  });

  it('reads once before waiting and once after the wake-up', async () => {
    const instance = await starter.createWorkflowInstance({ instanceId: 'waited' }, awaitsGo);
    sent.length = 0;
    answered = 0;
    const result = client.getWorkflowResult(instance, 10_000);
    assert.ok(await waitUntil(() => answered > 0, 5_000), 'the first read was answered');
    assert.deepEqual(sent, ['evalsha']);
    await starter.signalWorkflow(instance.instanceId, 'go', null);
    assert.equal(await result, 'went');
    assert.deepEqual(sent, ['evalsha', 'evalsha']);
  });

  it('follows continue-as-new with one call per execution', async () => {
    const first = await starter.createWorkflowInstance({ instanceId: 'chain' }, runsThrice, 0);
    assert.equal(await starter.getWorkflowResult(first, 10_000), 2);
    assert.deepEqual(await commandsOf(() => client.getWorkflowResult(first, 10_000)), ['evalsha', 'evalsha', 'evalsha']);
  });
});
