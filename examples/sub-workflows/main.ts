// sub-workflows: a parent starts child workflows, each with its own history and instance id, and awaits their
// results; `Promise.all` over the futures runs them side by side. Run: npm run example -- sub-workflows
import { workflow, type WorkflowContext } from '../../src/index.js';
import { runSample } from '../shared/sample.js';

/** Counts the words of one chapter. */
export function countWords(text: string): number {
  return text.split(/\s+/).filter((word) => word !== '').length;
}

/** The child: one chapter. */
export async function countChapter(ctx: WorkflowContext, text: string): Promise<number> {
  return workflow.executeActivity(ctx, {}, countWords, text);
}

/** The parent: one child per chapter, then the sum. */
export async function countBook(ctx: WorkflowContext, chapters: string[]): Promise<string> {
  const { instanceId } = workflow.workflowInstance(ctx);
  const counts = await Promise.all(
    chapters.map((text, i) => workflow.createSubWorkflowInstance(ctx, { instanceId: `${instanceId}-chapter-${i + 1}` }, countChapter, text)),
  );
  return `${counts.reduce((sum, n) => sum + n, 0)} words (${counts.join(' + ')}) counted by ${counts.length} sub-workflows`;
}

await runSample('sub-workflows', async ({ client, newWorker, runId }) => {
  await newWorker().registerWorkflow(countBook).registerWorkflow(countChapter).registerActivity(countWords).start();
  const chapters = ['Call me Ishmael.', 'It was the best of times, it was the worst of times.', 'All happy families are alike.'];
  const instance = await client.createWorkflowInstance({ instanceId: `book-${runId}` }, countBook, chapters);
  console.log(`result: ${await client.getWorkflowResult(instance, 10_000)}`);
  const child = await client.getWorkflowInstanceState({ instanceId: `book-${runId}-chapter-2` });
  console.log(`child book-…-chapter-2 is ${child}`);
});
