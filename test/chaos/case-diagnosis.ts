import type { Client } from '../../src/client/client.js';
import { instancesOf } from './chaos-plan.js';
import type { CaseResult } from './chaos-report.js';

async function whereIs(client: Client, instanceId: string): Promise<string> {
  try {
    const state = await client.getWorkflowInstanceState({ instanceId });
    const history = await client.getWorkflowInstanceHistory({ instanceId });
    const tail = history.slice(-4).map((e) => `${e.sequenceId} ${e.type}`);
    return `${instanceId} ${state}, ${history.length} events, last: ${tail.join(', ')}`;
  } catch (err) {
    return `${instanceId}: ${err instanceof Error ? err.name : String(err)}`;
  }
}

/** One line on a workflow that did not end as it must: its outcome, and where it and its children stand in the store. */
export async function describeProblem(client: Client, r: CaseResult): Promise<string> {
  const where = await Promise.all(instancesOf(r.c).map((i) => whereIs(client, i.instanceId)));
  const when = r.beforeLoss ? ' (started before the loss)' : '';
  return `${r.c.instanceId} (${r.c.kind}${when}) ${r.outcome}: ${r.detail ?? ''}\n      ${where.join('\n      ')}`;
}
