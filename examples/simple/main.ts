// simple: the smallest workflow. One activity does the work (it may do I/O and runs at least once); the
// workflow calls it and returns its result. Run: npm run example -- simple
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

/** An activity: a plain function whose result is recorded in the workflow's history. */
export function composeGreeting(name: string): string {
  return `Hello, ${name}!`;
}

/** A workflow: deterministic code that leaves the work to activities. */
export async function greet(ctx: WorkflowContext, name: string): Promise<string> {
  return workflow.executeActivity(ctx, {}, composeGreeting, name);
}

await runSample('simple', async ({ client, newWorker, runId }) => {
  const worker = newWorker().registerWorkflow(greet).registerActivity(composeGreeting);
  await worker.start();
  const instance = await client.createWorkflowInstance({ instanceId: `simple-${runId}` }, greet, 'Ada');
  const result = await client.getWorkflowResult(instance, 10_000);
  const history = await client.getWorkflowInstanceHistory(instance);
  console.log(`history: ${history.map((event) => event.type).join(', ')}`);
  console.log(`result: ${result}`);
});
