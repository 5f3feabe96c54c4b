import assert from 'node:assert/strict';
import type { HeldWorkflowInstanceInfo } from '../../src/backend/backend.js';
import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { BackendUnavailableError, InstanceNotFoundError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { withOverrides } from '../helpers/backend-overrides.js';
import { waitUntil } from '../helpers/engine.js';
import { captureLogs } from '../helpers/log-capture.js';
import { appendRawInboxEvent, earlierMapEvent, removeInboxEvent } from '../helpers/raw-store.js';
import type { E2E } from './harness.js';

// Quick backoff: 100, 200, 400, 400 ms, parked at the 5th hold.
const quickRetry = { firstRetryIntervalMs: 100, backoffCoefficient: 2, maxRetryIntervalMs: 400, maxAttempts: 5 };

/** A promise the engine does not control, as workflow code should never await. */
function foreign(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// What the "fixed" deploy changes: while false, the workflows below await a foreign promise.
let fixed = false;
let lateActivityRuns = 0;

async function step(label: string): Promise<string> {
  return label;
}

async function late(): Promise<string> {
  lateActivityRuns += 1;
  return 'late';
}

async function awaitsAtStart(_ctx: WorkflowContext): Promise<string> {
  if (!fixed) await foreign(300);
  return 'settled';
}

async function awaitsAfterActivities(ctx: WorkflowContext): Promise<string> {
  const a = await workflow.executeActivity(ctx, {}, step, 'a');
  const b = await workflow.executeActivity(ctx, {}, step, 'b');
  if (!fixed) await foreign(300);
  return `${a}${b}`;
}

async function awaitsInBranch(ctx: WorkflowContext): Promise<string> {
  const [scope] = workflow.withCancel(ctx);
  const [x] = await Promise.all([
    (async () => {
      // Still pending when the 20 ms timer's task runs, however late a loaded store delivers it (a cached executor keeps it).
      if (!fixed) await foreign(2_000);
      return 'x';
    })(),
    workflow.sleep(scope, 20),
  ]);
  return x;
}

// The foreign promise settles 300 ms after the task that held it: the code then asks for an activity.
async function resumesLate(ctx: WorkflowContext): Promise<string> {
  await workflow.executeActivity(ctx, {}, step, 'a');
  await foreign(300);
  return workflow.executeActivity(ctx, {}, late);
}

async function deadlocked(ctx: WorkflowContext): Promise<string> {
  const left = workflow.newChannel<string>(ctx);
  const right = workflow.newChannel<string>(ctx);
  const [a, b] = await Promise.all([
    (async () => {
      const got = await left.receive();
      await right.send('a');
      return got;
    })(),
    (async () => {
      const got = await right.receive();
      await left.send('b');
      return got;
    })(),
  ]);
  return a + b;
}

async function waitsForSignal(ctx: WorkflowContext): Promise<unknown> {
  return workflow.newSignalChannel(ctx, 'go').receive();
}

async function selectsSignal(ctx: WorkflowContext): Promise<unknown> {
  return workflow.select(ctx, workflow.onReceive(workflow.newSignalChannel<string>(ctx, 'go'), (value) => value));
}

// One branch waits on a plain channel that only the signal-fed branch fills.
async function relaysSignal(ctx: WorkflowContext): Promise<unknown> {
  const relay = workflow.newChannel<unknown>(ctx);
  const [, got] = await Promise.all([
    (async () => relay.send(await workflow.newSignalChannel(ctx, 'go').receive()))(),
    relay.receive(),
  ]);
  return got;
}

async function waitsForCancellation(ctx: WorkflowContext): Promise<string> {
  await ctx.done;
  return 'canceled';
}

// Cancels a child whose first task is held (it never started): the child ends at once and its hold goes.
async function cancelsHeldChild(ctx: WorkflowContext): Promise<string> {
  const [scope, cancel] = workflow.withCancel(ctx);
  const child = workflow.createSubWorkflowInstance(scope, { instanceId: `${workflow.workflowInstance(ctx).instanceId}-child` }, awaitsAtStart);
  await workflow.sleep(ctx, 500);
  cancel();
  try {
    return await child;
  } catch (err) {
    return workflow.isCanceled(err) ? 'child canceled' : `child failed: ${String(err)}`;
  }
}

async function quick(_ctx: WorkflowContext, label: string): Promise<string> {
  return `${label} done`;
}

async function heldOf(client: Client, instance: WorkflowInstance): Promise<HeldWorkflowInstanceInfo | undefined> {
  const page = await client.listHeldWorkflowInstances({ count: 1000 });
  return page.instances.find((held) => held.instance.instanceId === instance.instanceId);
}

async function waitForHold(client: Client, instance: WorkflowInstance, check: (held: HeldWorkflowInstanceInfo) => boolean, what: string): Promise<HeldWorkflowInstanceInfo> {
  let last: HeldWorkflowInstanceInfo | undefined;
  const ok = await waitUntil(async () => {
    last = await heldOf(client, instance);
    return last !== undefined && check(last);
  }, 20_000);
  assert.ok(ok, `timed out waiting for ${instance.instanceId} to be ${what}; last: ${JSON.stringify(last)}`);
  return last as HeldWorkflowInstanceInfo;
}

const parked = (held: HeldWorkflowInstanceInfo): boolean => held.parked;

/**
 * Held workflow tasks (README "Held workflow instances"): a task that fails for a reason outside the workflow
 * code, or whose code waits on something the engine does not control, commits nothing, backs off, parks, is
 * listed and counted, and runs again on `retryHeldWorkflowInstance`; other instances never wait behind it.
 */
export function heldTaskScenarios(e2e: E2E): void {
  afterEach(() => {
    fixed = false;
  });

  it('holds workflow code awaiting a foreign promise, wherever it waits, backs off, parks, and runs it on retry', async () => {
    const logs = captureLogs('warn');
    const client = await e2e.engine({
      workflows: [awaitsAtStart, awaitsAfterActivities, awaitsInBranch, quick],
      activities: [step],
      options: { heldTaskRetry: quickRetry, workflowLockTimeoutMs: 200, logger: logs.logger },
    });
    const waiting = [
      await client.createWorkflowInstance({ instanceId: e2e.id('at-start') }, awaitsAtStart),
      await client.createWorkflowInstance({ instanceId: e2e.id('after-activities') }, awaitsAfterActivities),
      await client.createWorkflowInstance({ instanceId: e2e.id('in-branch') }, awaitsInBranch),
    ];
    const healthy = await client.createWorkflowInstance({ instanceId: e2e.id('healthy') }, quick, 'healthy');
    assert.equal(await client.getWorkflowResult(healthy, 10_000), 'healthy done');

    const first = await waitForHold(client, waiting[0] as WorkflowInstance, (held) => held.attempts >= 1, 'held');
    assert.equal(first.reason, 'unsettled');
    assert.equal(first.error.type, 'UnsettledWorkflowError');
    assert.match(first.error.message, /waits for something the engine does not control.*setTimeout.*workflow\.sleep/);
    assert.equal(first.name, 'awaitsAtStart');
    assert.equal(first.queue, 'default');
    assert.ok(first.since instanceof Date);

    const lengths: number[] = [];
    for (const instance of waiting) {
      const held = await waitForHold(client, instance, parked, 'parked');
      assert.equal(held.attempts, quickRetry.maxAttempts);
      assert.equal(held.retryAt, undefined);
      assert.equal(await client.getWorkflowInstanceState(instance), 'active');
      lengths.push((await client.getWorkflowInstanceHistory(instance)).length);
    }
    assert.equal(lengths[0], 0, 'nothing of a held first task was committed');
    assert.ok((lengths[1] ?? 0) > 0, 'the work before the hold stays committed');
    assert.equal((await client.getStats()).heldWorkflowInstances, 3);

    // One log line per hold, with the attempt; the last says it is parked.
    const lines = logs.lines.filter((line) => line.instanceId === waiting[0]?.instanceId);
    assert.deepEqual(lines.map((line) => line.attempt), [1, 2, 3, 4, 5]);
    assert.ok(lines.every((line) => line.reason === 'unsettled'));
    assert.match(lines.at(-1)?.msg ?? '', /parked after 5 attempts/);

    // Parked: no automatic retry, and nothing committed, however long it waits.
    await new Promise((resolve) => setTimeout(resolve, 800));
    for (const [i, instance] of waiting.entries()) {
      assert.equal((await heldOf(client, instance))?.attempts, quickRetry.maxAttempts);
      assert.equal((await client.getWorkflowInstanceHistory(instance)).length, lengths[i]);
    }

    fixed = true;
    for (const instance of waiting) assert.equal(await client.retryHeldWorkflowInstance(instance), true);
    assert.deepEqual(
      await Promise.all(waiting.map((instance) => client.getWorkflowResult(instance, 10_000))),
      ['settled', 'ab', 'x'],
    );
    assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
    assert.equal((await client.getStats()).heldWorkflowInstances, 0);
    assert.equal(await client.retryHeldWorkflowInstance(waiting[0] as WorkflowInstance), false, 'not held any more');
  });

  it('holds a deadlock: every branch waiting on a channel nothing can fill', async () => {
    const client = await e2e.engine({ workflows: [deadlocked], options: { heldTaskRetry: { ...quickRetry, maxAttempts: 1 } } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('deadlock') }, deadlocked);
    const held = await waitForHold(client, instance, parked, 'parked');
    assert.equal(held.reason, 'unsettled');
    assert.equal(held.attempts, 1);
  });

  it('never runs code of a held execution whose foreign promise settles after its task', async () => {
    lateActivityRuns = 0;
    // A long backoff: nothing but the abandoned code could act in the window observed.
    const client = await e2e.engine({ workflows: [resumesLate], activities: [step, late], options: { heldTaskRetry: { firstRetryIntervalMs: 60_000 } } });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('late') }, resumesLate);
    await waitForHold(client, instance, (held) => held.attempts === 1, 'held');
    const length = (await client.getWorkflowInstanceHistory(instance)).length;
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(lateActivityRuns, 0, 'the code that ran on after the hold scheduled nothing');
    assert.equal((await client.getWorkflowInstanceHistory(instance)).length, length, 'and recorded nothing');
    assert.equal((await client.getStats()).pendingActivityTasks.default ?? 0, 0);
    assert.equal((await heldOf(client, instance))?.attempts, 1);
  });

  it('never holds a workflow that waits for a signal or a cancellation, however it waits', async () => {
    const client = await e2e.engine({
      workflows: [waitsForSignal, selectsSignal, relaysSignal, waitsForCancellation],
      options: { heldTaskRetry: { ...quickRetry, maxAttempts: 1 } },
    });
    const signaled = [
      await client.createWorkflowInstance({ instanceId: e2e.id('receive') }, waitsForSignal),
      await client.createWorkflowInstance({ instanceId: e2e.id('select') }, selectsSignal),
      await client.createWorkflowInstance({ instanceId: e2e.id('relay') }, relaysSignal),
    ];
    const canceled = await client.createWorkflowInstance({ instanceId: e2e.id('cancel') }, waitsForCancellation);
    const all = [...signaled, canceled];
    assert.ok(
      await waitUntil(async () => (await Promise.all(all.map((i) => client.getWorkflowInstanceHistory(i)))).every((h) => h.length > 0), 10_000),
      'every first task committed',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
    assert.equal((await client.getStats()).heldWorkflowInstances, 0);
    for (const instance of signaled) await client.signalWorkflow(instance.instanceId, 'go', 'went');
    await client.cancelWorkflowInstance(canceled);
    assert.deepEqual(await Promise.all(all.map((i) => client.getWorkflowResult(i, 10_000))), ['went', 'went', 'went', 'canceled']);
  });

  it('holds a task the engine fails on every attempt, backing off instead of retrying every lease, until retried', async () => {
    const logs = captureLogs('warn');
    await e2e.client();
    const backend = e2e.backend();
    let broken = true;
    let commits = 0;
    const poisonedIds = new Set<string>();
    const failing = withOverrides(backend, {
      completeWorkflowTask: (task, completion, handoff) => {
        if (!poisonedIds.has(task.instance.instanceId) || !broken) return backend.completeWorkflowTask(task, completion, handoff);
        commits += 1;
        return Promise.reject(new TypeError('injected engine failure'));
      },
    });
    const client = await e2e.engine(
      { workflows: [quick], options: { heldTaskRetry: quickRetry, workflowLockTimeoutMs: 150, logger: logs.logger } },
      failing,
    );
    const poisoned = await client.createWorkflowInstance({ instanceId: e2e.id('poisoned') }, quick, 'poisoned');
    poisonedIds.add(poisoned.instanceId);
    const others = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.createWorkflowInstance({ instanceId: e2e.id(`other-${i}`) }, quick, `other-${i}`)),
    );
    assert.deepEqual(await Promise.all(others.map((i) => client.getWorkflowResult(i, 10_000))), others.map((_, i) => `other-${i} done`));

    const held = await waitForHold(client, poisoned, parked, 'parked');
    assert.equal(held.reason, 'engine-error');
    assert.deepEqual(held.error, { type: 'TypeError', message: 'injected engine failure' });
    // About 1.1 s of backoff, 7 leases of 150 ms: one attempt per backoff step, not one per lease.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(commits, quickRetry.maxAttempts);
    assert.equal(await client.getWorkflowInstanceState(poisoned), 'active');
    assert.deepEqual(await client.getWorkflowInstanceHistory(poisoned), []);
    assert.ok(logs.lines.some((line) => line.instanceId === poisoned.instanceId && line.reason === 'engine-error' && line.attempt === 1));

    broken = false;
    assert.equal(await client.retryHeldWorkflowInstance({ instanceId: poisoned.instanceId }), true);
    assert.equal(await client.getWorkflowResult(poisoned, 10_000), 'poisoned done');
    assert.equal((await client.getStats()).heldWorkflowInstances, 0);
  });

  it('never holds a task because the store was unreachable: it runs again after its lease, with no hold counted', async () => {
    const logs = captureLogs('warn');
    await e2e.client();
    const backend = e2e.backend();
    let outages = 2;
    const flaky = withOverrides(backend, {
      completeWorkflowTask: (task, completion, handoff) => {
        if (outages === 0) return backend.completeWorkflowTask(task, completion, handoff);
        outages -= 1;
        return Promise.reject(new BackendUnavailableError('injected outage'));
      },
    });
    const client = await e2e.engine({ workflows: [quick], options: { heldTaskRetry: quickRetry, workflowLockTimeoutMs: 150, logger: logs.logger } }, flaky);
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('outage') }, quick, 'outage');
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'outage done');
    assert.equal(outages, 0, 'both commits failed before the third went through');
    assert.deepEqual(
      logs.lines.filter((line) => line.instanceId === instance.instanceId).map((line) => line.msg),
      [],
      'no hold was recorded or logged for the outage',
    );
    assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
  });

  it('holds a task whose stored data cannot be decoded, keeps events that arrive meanwhile, and finishes once it is repaired', async () => {
    const logs = captureLogs('warn');
    const backend = await e2e.useBackend({ logger: logs.logger });
    const client = await e2e.client();
    const poisoned = await client.createWorkflowInstance({ instanceId: e2e.id('undecodable') }, waitsForSignal);
    await appendRawInboxEvent(backend, poisoned, earlierMapEvent('SignalReceived', { name: 'go', arg: new Map([[{ sku: 'A-1' }, 2]]) }));
    const healthy = await client.createWorkflowInstance({ instanceId: e2e.id('healthy') }, quick, 'healthy');
    await e2e.engine({ workflows: [quick, waitsForSignal], options: { heldTaskRetry: quickRetry, workflowLockTimeoutMs: 150, logger: logs.logger } });
    assert.equal(await client.getWorkflowResult(healthy, 10_000), 'healthy done');

    const held = await waitForHold(client, poisoned, parked, 'parked');
    assert.equal(held.reason, 'undecodable');
    assert.equal(held.error.type, 'UndecodableDataError');
    assert.match(held.error.message, /inbox event of workflow instance .* cannot be decoded/);
    // A signal to a parked instance is kept, but runs nothing before an operator retries it.
    await client.signalWorkflow(poisoned.instanceId, 'go', 'second');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await heldOf(client, poisoned))?.attempts, quickRetry.maxAttempts);
    assert.deepEqual(await client.getWorkflowInstanceHistory(poisoned), []);

    // The repair: the unreadable event (the second in the inbox, after the started event) is removed.
    await removeInboxEvent(backend, poisoned, 1);
    assert.equal(await client.retryHeldWorkflowInstance(poisoned), true);
    assert.equal(await client.getWorkflowResult(poisoned, 10_000), 'second', 'the signal sent while it was held was kept');
  });

  it('ends a held child that never started when its parent cancels it, and forgets its hold', async () => {
    const client = await e2e.engine({ workflows: [cancelsHeldChild, awaitsAtStart], options: { heldTaskRetry: { maxAttempts: 1 } } });
    const parent = await client.createWorkflowInstance({ instanceId: e2e.id('parent') }, cancelsHeldChild);
    const child = { instanceId: `${parent.instanceId}-child` };
    assert.ok(await waitUntil(async () => (await client.getStats()).heldWorkflowInstances === 1, 10_000), 'the child is held');
    assert.equal(await client.getWorkflowResult(parent, 10_000), 'child canceled');
    assert.equal(await client.getWorkflowInstanceState(child), 'finished');
    assert.deepEqual((await client.listHeldWorkflowInstances()).instances, []);
    assert.equal((await client.getStats()).heldWorkflowInstances, 0);
  });

  it('answers retryHeldWorkflowInstance for unknown instances with InstanceNotFoundError, and pages the listing', async () => {
    const client = await e2e.engine({ workflows: [awaitsAtStart], options: { heldTaskRetry: { maxAttempts: 1 } } });
    await assert.rejects(client.retryHeldWorkflowInstance({ instanceId: e2e.id('unknown') }), InstanceNotFoundError);
    const instances = [];
    for (let i = 0; i < 5; i++) {
      instances.push(await client.createWorkflowInstance({ instanceId: e2e.id(`page-${i}`) }, awaitsAtStart));
    }
    assert.ok(await waitUntil(async () => (await client.getStats()).heldWorkflowInstances === 5, 10_000), 'all five held');
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listHeldWorkflowInstances(cursor === undefined ? { count: 2 } : { count: 2, cursor });
      seen.push(...page.instances.map((held) => held.instance.instanceId));
      for (let i = 1; i < page.instances.length; i++) {
        assert.ok((page.instances[i - 1]?.since.getTime() ?? 0) >= (page.instances[i]?.since.getTime() ?? 0), 'newest hold first');
      }
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), instances.map((i) => i.instanceId).sort());
    await assert.rejects(client.listHeldWorkflowInstances({ count: 0 }), /count must be an integer/);
  });
}
