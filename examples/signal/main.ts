// signal: a workflow waits on a signal channel for messages from outside (here the client); signals are
// recorded in arrival order, also those sent before the workflow asked for the channel.
// Run: npm run example -- signal
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

/** A decision an approver sends as the `decision` signal. */
export interface Decision {
  approver: string;
  approved: boolean;
}

export async function approveExpense(ctx: WorkflowContext, expense: string): Promise<string> {
  const decisions = workflow.newSignalChannel<Decision>(ctx, 'decision');
  const { approver, approved } = await decisions.receive();
  return `${expense} ${approved ? 'approved' : 'rejected'} by ${approver}`;
}

await runSample('signal', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(approveExpense).start();
  const instance = await client.createWorkflowInstance({ instanceId: `signal-${runId}` }, approveExpense, 'travel expense');
  console.log(`started ${instance.instanceId}; it waits for the 'decision' signal`);
  await client.signalWorkflow(instance.instanceId, 'decision', { approver: 'Grace', approved: true } satisfies Decision);
  console.log(`result: ${await client.getWorkflowResult(instance, 10_000)}`);
});
