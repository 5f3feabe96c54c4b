import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisBackend } from '../../../src/backend/redis/redis-backend.js';
import type { ReplicaAcks } from '../../../src/backend/redis/options.js';
import { BackendUnavailableError, InvalidArgumentError } from '../../../src/errors/errors.js';
import { newEvent, type WorkflowExecutionStarted } from '../../../src/history/events.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

const silent = pino({ level: 'silent' });

function started(): WorkflowExecutionStarted {
  return Object.assign({ sequenceId: 1 }, newEvent('WorkflowExecutionStarted', { name: 'wf', queue: 'default', inputs: [1] })) as WorkflowExecutionStarted;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once the replica on `port` is connected to its master and in sync. */
async function synced(port: number): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port });
  try {
    for (let i = 0; i < 200; i++) {
      if ((await client.info('replication')).includes('master_link_status:up')) return;
      await sleep(50);
    }
    throw new Error(`the replica on ${port} did not sync`);
  } finally {
    client.disconnect();
  }
}

describe('RedisBackend option replicaAcks', function () {
  this.timeout(30_000);
  let primary: RedisServer;
  let replica: RedisServer;
  const backends: RedisBackend[] = [];

  before(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer();
    const client = new Redis(replica.url);
    await client.call('REPLICAOF', '127.0.0.1', String(primary.port));
    client.disconnect();
    await synced(replica.port);
  });
  after(async () => {
    replica.resume();
    for (const backend of backends) await backend.close();
    await replica.stop();
    await primary.stop();
  });

  function backendWith(replicaAcks: ReplicaAcks): RedisBackend {
    const backend = new RedisBackend({ redis: primary.url, prefix: `acks-${randomUUID()}`, replicaAcks, commandTimeoutMs: 3000, logger: silent });
    backends.push(backend);
    return backend;
  }

  it('rejects a bad replicaAcks by name, and a timeoutMs not below commandTimeoutMs', () => {
    const bad = [{ replicas: 0, timeoutMs: 100 }, { replicas: 1, timeoutMs: 0 }, { replicas: 1.5, timeoutMs: 100 }, { replicas: 1, timeoutMs: 5000 }];
    for (const replicaAcks of bad) {
      assert.throws(() => new RedisBackend({ redis: primary.url, replicaAcks, commandTimeoutMs: 5000 }), (err: unknown) => err instanceof InvalidArgumentError && /replicaAcks/.test(err.message));
    }
    assert.throws(() => new RedisBackend({ redis: primary.url, replicaAcks: null as unknown as ReplicaAcks }), InvalidArgumentError);
  });

  it('sends the whole pipeline again when the primary lost its scripts, so the WAIT follows the write', async () => {
    const backend = backendWith({ replicas: 1, timeoutMs: 1000 });
    await backend.createWorkflowInstance({ instanceId: `i-${randomUUID()}`, executionId: randomUUID() }, started());
    const admin = new Redis(primary.url);
    try {
      await admin.script('FLUSH');
      await admin.config('RESETSTAT');
      const instance = { instanceId: `i-${randomUUID()}`, executionId: randomUUID() };
      await backend.createWorkflowInstance(instance, started());
      const stats = await admin.info('commandstats');
      const calls = (name: string): number => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      // The EVALSHA that met NOSCRIPT and its WAIT, then the source and a WAIT after it.
      assert.equal(calls('evalsha'), 1);
      assert.equal(calls('eval'), 1);
      assert.equal(calls('wait'), 2);
      const direct = new Redis(replica.url);
      try {
        assert.ok((await direct.keys('*')).some((key) => key.includes(instance.instanceId)));
      } finally {
        direct.disconnect();
      }
    } finally {
      admin.disconnect();
    }
  });

  it('answers a write once the replica has it', async () => {
    const backend = backendWith({ replicas: 1, timeoutMs: 1000 });
    const instance = { instanceId: `i-${randomUUID()}`, executionId: randomUUID() };
    await backend.createWorkflowInstance(instance, started());
    // Read on the replica: what the backend reported done is there.
    const direct = new Redis(replica.url);
    try {
      assert.ok((await direct.keys('*')).some((key) => key.includes(instance.instanceId)));
    } finally {
      direct.disconnect();
    }
    assert.equal(await backend.getWorkflowInstanceState(instance), 'active');
  });

  it('fails a write the replica did not acknowledge in time with BackendUnavailableError; the write is applied on the primary', async () => {
    const backend = backendWith({ replicas: 1, timeoutMs: 300 });
    await backend.connect();
    const instance = { instanceId: `i-${randomUUID()}`, executionId: randomUUID() };
    replica.pause();
    try {
      await assert.rejects(backend.createWorkflowInstance(instance, started()), (err: unknown) => err instanceof BackendUnavailableError && /1 replicas/.test(err.message));
    } finally {
      replica.resume();
    }
    assert.equal(await backend.getWorkflowInstanceState(instance), 'active');
    // Once the replica is back, writes succeed again.
    await backend.createWorkflowInstance({ instanceId: `i-${randomUUID()}`, executionId: randomUUID() }, started());
  });

  it('fails every write when there are fewer replicas than asked for', async () => {
    const backend = backendWith({ replicas: 2, timeoutMs: 200 });
    await assert.rejects(backend.createWorkflowInstance({ instanceId: `i-${randomUUID()}`, executionId: randomUUID() }, started()), BackendUnavailableError);
  });
});
