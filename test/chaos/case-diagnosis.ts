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

function headline(r: CaseResult): string {
  return `${r.c.instanceId} (${r.c.kind}${r.beforeLoss ? ', started before the loss' : ''}) ${r.outcome}: ${r.detail ?? ''}`;
}

async function describeProblem(client: Client, r: CaseResult): Promise<string> {
  const where = await Promise.all(instancesOf(r.c).map((i) => whereIs(client, i.instanceId)));
  return `${headline(r)}\n      ${where.join('\n      ')}`;
}

/**
 * A line on each workflow in `faulty` (those that did not end as they must): its outcome, and for the first
 * `detailed`, where it and its children stand in the store.
 */
export async function describeProblems(client: Client, faulty: CaseResult[], detailed = 20): Promise<string[]> {
  const described = await Promise.all(faulty.slice(0, detailed).map((r) => describeProblem(client, r)));
  return [...described, ...faulty.slice(detailed).map(headline)];
}
