import assert from 'node:assert/strict';
import { UndecodableDataError } from '../../src/errors/errors.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { waitUntil } from '../helpers/engine.js';
import { keptLogs, type LogLine } from '../helpers/kept-logs.js';
import { appendRawInboxEvent, earlierMapEvent, replaceLastHistoryEvent } from '../helpers/raw-store.js';
import type { E2E } from './harness.js';

async function quick(_ctx: WorkflowContext, label: string): Promise<string> {
  return `${label} done`;
}

async function waitsForSignal(ctx: WorkflowContext): Promise<unknown> {
  return workflow.newSignalChannel(ctx, 'go').receive();
}

// The events an earlier version wrote for a signal argument and for a workflow result that held
// `new Map([[{ sku: 'A-1' }, 2]])`: msgpack maps keyed by a map, which nothing can read back.
const poisonedSignal = (): Buffer => earlierMapEvent('SignalReceived', { name: 'go', arg: new Map([[{ sku: 'A-1' }, 2]]) });
const poisonedResult = (): Buffer => earlierMapEvent('WorkflowExecutionFinished', { result: new Map([[{ sku: 'A-1' }, 2]]) });

/** Stored data this version cannot decode affects its own instance only (API.md "Payloads", DESIGN "one bad thing"). */
export function undecodableScenarios(e2e: E2E): void {
  it('holds an instance whose events cannot be decoded without holding up one claimed with it', async () => {
    const logs = keptLogs();
    const backend = await e2e.client().then(() => e2e.backend());
    const client = await e2e.client();
    // Both wait in their queue before any worker runs, so the first claim takes them together.
    const poisoned = await client.createWorkflowInstance({ instanceId: e2e.id('poisoned') }, waitsForSignal);
    await appendRawInboxEvent(backend, poisoned, poisonedSignal());
    const healthy = await client.createWorkflowInstance({ instanceId: e2e.id('healthy') }, quick, 'healthy');
    // A lease far longer than the wait below: the healthy instance must not wait for the poisoned task's lease.
    await e2e.engine({ workflows: [quick, waitsForSignal], options: { workflowLockTimeoutMs: 120_000, maxParallelWorkflowTasks: 10, logger: logs.logger } });
    assert.equal(await client.getWorkflowResult(healthy, 20_000), 'healthy done');
    assert.ok(await waitUntil(() => logs.lines.some((line) => line.instanceId === poisoned.instanceId), 10_000), 'timed out waiting for the held instance to be logged');
    const held = logs.lines.find((line) => line.instanceId === poisoned.instanceId) as LogLine;
    assert.equal(held.executionId, poisoned.executionId);
    assert.match(held.msg ?? '', /workflow task held \(undecodable\): attempt 1, retried at/);
    assert.match(held.err?.message ?? '', /inbox event of workflow instance .* cannot be decoded \(Invalid property type for record/);
    assert.equal(await client.getWorkflowInstanceState(poisoned), 'active');
    assert.deepEqual(await client.getWorkflowInstanceHistory(poisoned), [], 'nothing of the held task was committed');
    // Held, not locked: the lease is given up at once and the backoff (1 s by default) says when it runs again.
    const [listed] = (await client.listHeldWorkflowInstances()).instances;
    assert.equal(listed?.reason, 'undecodable');
    assert.ok((listed?.retryAt?.getTime() ?? Infinity) - Date.now() < 60_000, 'retried after its backoff, not its 120 s lease');
  });

  it('rejects reads of an outcome it cannot decode with UndecodableDataError', async () => {
    const logs = keptLogs();
    const backend = await e2e.useBackend({ logger: logs.logger });
    const client = await e2e.engine({ workflows: [quick] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('unreadable') }, quick, 'unreadable');
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'unreadable done');
    const length = (await client.getWorkflowInstanceHistory(instance)).length;
    await replaceLastHistoryEvent(backend, instance, poisonedResult());
    const undecodable = (err: unknown): boolean => {
      assert.ok(err instanceof UndecodableDataError, String(err));
      assert.equal(err.code, 'UNDECODABLE_DATA');
      assert.match(err.message, new RegExp(`^history event ${length} of workflow instance ${instance.instanceId} \\(execution ${instance.executionId}\\) cannot be decoded`));
      return true;
    };
    await assert.rejects(client.getWorkflowResult(instance, 10_000), undecodable);
    await assert.rejects(client.getWorkflowInstanceHistory(instance), undecodable);
    // The rest of the store is untouched: the state still reads, and other instances run.
    assert.equal(await client.getWorkflowInstanceState(instance), 'finished');
    const next = await client.createWorkflowInstance({ instanceId: e2e.id('next') }, quick, 'next');
    assert.equal(await client.getWorkflowResult(next, 10_000), 'next done');
  });
}
