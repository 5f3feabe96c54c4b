import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Client } from '../../src/client/client.js';
import type { WorkflowContext } from '../../src/workflow/index.js';
import { withOverrides } from '../helpers/backend-overrides.js';
import { startEngine, waitUntil } from '../helpers/engine.js';
import { captureLogs } from '../helpers/log-capture.js';
import type { E2E } from './harness.js';

const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

async function presenceGreets(_ctx: WorkflowContext, name: string): Promise<string> {
  return `hello ${name}`;
}

async function presenceActivity(): Promise<string> {
  return 'done';
}

/** Live workers (`Client.getWorkers`) and what `getStats` and the workers say about queues and names nobody serves. */
export function presenceScenarios(e2e: E2E): void {
  it('lists a started worker with its fields, and no longer once it stopped', async () => {
    const client = await e2e.client();
    const before = Date.now();
    const version = e2e.id('deploy');
    const { worker, stop } = await startEngine(e2e.backend(), {
      workflows: [presenceGreets],
      activities: [presenceActivity],
      options: { queues: ['default', 'presence-b'], version },
    });
    try {
      const workers = await client.getWorkers();
      const info = workers.find((w) => w.workerId === worker.workerId);
      assert.ok(info !== undefined, 'listed once start() resolved');
      assert.deepEqual({ ...info, startedAt: null, lastSeenAt: null }, {
        workerId: worker.workerId,
        queues: ['default', 'presence-b'],
        workflows: ['presenceGreets'],
        activities: ['presenceActivity'],
        pollsWorkflowTasks: true,
        pollsActivityTasks: true,
        pid: process.pid,
        hostname: hostname(),
        version,
        redflowVersion: packageVersion,
        startedAt: null,
        lastSeenAt: null,
      });
      assert.ok(info.startedAt.getTime() >= before && info.lastSeenAt.getTime() >= info.startedAt.getTime());
      assert.equal((await client.getStats()).liveWorkers, workers.length);
    } finally {
      await stop();
    }
    assert.equal((await client.getWorkers()).find((w) => w.workerId === worker.workerId), undefined, 'withdrawn by stop()');
  });

  it('tells which kinds of tasks a worker polls: one with only activities takes no workflow tasks', async () => {
    const client = await e2e.engine({ activities: [presenceActivity], options: { queues: ['presence-activities'] } });
    const [info] = (await client.getWorkers()).filter((w) => w.queues.includes('presence-activities'));
    assert.equal(info?.pollsWorkflowTasks, false);
    assert.equal(info?.pollsActivityTasks, true);
    assert.equal(info?.version, undefined, 'no version given');
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('activities-only'), queue: 'presence-activities' }, presenceGreets, 'x');
    assert.deepEqual((await client.getStats()).unservedQueues, [{ queue: 'presence-activities', kind: 'workflow', pendingTasks: 1 }]);
    await e2e.engine({ workflows: [presenceGreets], options: { queues: ['presence-activities'] } });
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'hello x');
  });

  it('reports a queue with pending tasks and no live worker until a worker serving it starts', async () => {
    const client = await e2e.engine({ workflows: [presenceGreets] });
    const queue = 'presence-lonely';
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('lonely'), queue }, presenceGreets, 'lonely');
    const stats = await client.getStats();
    assert.deepEqual(stats.unservedQueues, [{ queue, kind: 'workflow', pendingTasks: 1 }]);
    assert.equal(stats.liveWorkers, 1);
    await e2e.engine({ workflows: [presenceGreets], options: { queues: [queue] } });
    assert.deepEqual((await client.getStats()).unservedQueues, [], 'served once its worker is live, before it ran the task');
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'hello lonely');
  });

  it('reports a name a worker lacked until a live worker serving its queue registers it', async () => {
    const client = await e2e.engine({ workflows: [presenceGreets] });
    await e2e.backend().recordUnknownName({ kind: 'workflow', queue: 'default', name: 'presenceNewer' });
    const [unserved, ...rest] = (await client.getStats()).unservedNames;
    assert.deepEqual(rest, []);
    assert.equal(unserved?.name, 'presenceNewer');
    assert.equal(unserved?.kind, 'workflow');
    assert.equal(unserved?.queue, 'default');
    await e2e.engine({ activities: [{ presenceNewer: presenceActivity }] });
    assert.equal((await client.getStats()).unservedNames.length, 1, 'an activity of that name does not serve it');
    async function presenceNewer(): Promise<string> {
      return 'newer';
    }
    await e2e.engine({ workflows: [presenceNewer] });
    assert.deepEqual((await client.getStats()).unservedNames, []);
  });

  it('warns from a worker about a queue nobody serves and a name nobody registered, and from a client given a logger', async () => {
    const logs = captureLogs('warn');
    await e2e.engine({ workflows: [presenceGreets], options: { logger: logs.logger, presenceIntervalMs: 20 } });
    const client = await e2e.client();
    await client.createWorkflowInstance({ instanceId: e2e.id('unserved'), queue: 'presence-nobody' }, presenceGreets, 'x');
    await e2e.backend().recordUnknownName({ kind: 'activity', queue: 'default', name: 'presenceMissing' });
    assert.ok(await waitUntil(() => logs.count(/queue presence-nobody/) > 0 && logs.count(/activity presenceMissing on queue default/) > 0, 10_000), 'the worker warned');

    const clientLogs = captureLogs('warn');
    const logging = new Client(e2e.backend(), { logger: clientLogs.logger });
    await logging.getStats();
    await logging.getStats();
    assert.equal(clientLogs.count(/queue presence-nobody/), 1, 'once, however often the stats are read');
    assert.equal(clientLogs.count(/activity presenceMissing/), 1);
    await client.getStats();
    assert.equal(clientLogs.count(/presence-nobody/), 1, 'a client without a logger logs nothing');
  });

  it('keeps running when its heartbeat fails, saying so once and once more when it recovers', async () => {
    await e2e.client();
    const backend = e2e.backend();
    let failing = true;
    let calls = 0;
    const flaky = withOverrides(backend, {
      announceWorker: (info, ttlMs) => {
        calls += 1;
        return failing ? Promise.reject(new Error('store said no')) : backend.announceWorker(info, ttlMs);
      },
    });
    const logs = captureLogs('info');
    const client = await e2e.engine({ workflows: [presenceGreets], options: { logger: logs.logger, presenceIntervalMs: 10 } }, flaky);
    assert.ok(await waitUntil(() => calls >= 10, 10_000));
    assert.equal(logs.count('announcing the worker failed'), 1, 'one line for the whole failure');
    assert.equal(await client.getWorkflowResult(await client.createWorkflowInstance({ instanceId: e2e.id('flaky') }, presenceGreets, 'still'), 10_000), 'hello still');
    assert.equal((await client.getWorkers()).length, 0, 'not announced while failing');
    failing = false;
    assert.ok(await waitUntil(async () => (await client.getWorkers()).length === 1, 10_000), 'announced once the store answers');
    assert.equal(logs.count('announcing the worker recovered'), 1);
  });
}
