// side-effects: workflow code must replay the same way every time, so a value that differs from run to run
// (a random token, a reading of the wall clock) goes through `workflow.sideEffect`: the function runs once and
// its result is recorded; every replay returns the recorded value without calling it. `workflow.uuid` and
// `workflow.random` are replay-safe shortcuts. The worker here keeps no executor cache, so each step replays the
// history from the start, as a fresh worker would after a crash. Run: npm run example -- side-effects
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

// What the sample observes (module state, so only for the demonstration: workflow code must not rely on it).
let sideEffectCalls = 0;
const tokensSeen: string[] = [];

export async function issueToken(ctx: WorkflowContext): Promise<string> {
  const token = await workflow.sideEffect(ctx, () => {
    sideEffectCalls++;
    return Math.random().toString(36).slice(2, 10);
  });
  tokensSeen.push(token);
  await workflow.sleep(ctx, 20); // each later step replays everything above
  await workflow.sleep(ctx, 20);
  return `${token}, request ${workflow.uuid(ctx)}`;
}

await runSample('side-effects', async ({ client, newWorker, runId }) => {
  await newWorker({ executorCacheSize: 0 }).registerWorkflow(issueToken).start();
  const instance = await client.createWorkflowInstance({ instanceId: `token-${runId}` }, issueToken);
  console.log(`issued ${await client.getWorkflowResult(instance, 10_000)}`);
  const recorded = (await client.getWorkflowInstanceHistory(instance)).filter((event) => event.type === 'SideEffectResult').length;
  const distinct = new Set(tokensSeen).size;
  console.log(`result: the code ran ${tokensSeen.length} times and saw ${distinct} token; the side effect ran ${sideEffectCalls} time, recorded in ${recorded} event`);
});
