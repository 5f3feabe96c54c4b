import { WorkflowError } from '../../src/errors/errors.js';

/** A value whose innermost object is `levels` below its root: `{ n: { n: ... {} } }`. */
export function nested(levels: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let inner = root;
  for (let i = 0; i < levels; i++) {
    const next: Record<string, unknown> = {};
    inner.n = next;
    inner = next;
  }
  return root;
}

/**
 * Collects how calls made by workflow code end, in order: `'ok'`, `'WorkflowError <type>'` or the name of the
 * error thrown. Await `probe` for each call, then return `outcomes` from the workflow.
 */
export function outcomeRecorder(): { outcomes: string[]; probe: (call: () => unknown) => Promise<void> } {
  const outcomes: string[] = [];
  const probe = async (call: () => unknown): Promise<void> => {
    try {
      await call();
      outcomes.push('ok');
    } catch (err) {
      outcomes.push(err instanceof WorkflowError ? `WorkflowError ${err.type}` : (err as Error).name);
    }
  };
  return { outcomes, probe };
}
