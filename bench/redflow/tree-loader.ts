import { workflow, type Worker } from '../../src/index.js';

/** Registers the tree workload's workflows on a worker. */
export type RegisterTree = (worker: Worker) => void;

// The tree needs workflow.createSubWorkflowInstance. Until it exists its module stays outside type checking,
// so it is loaded by a computed path (which the compiler does not follow) and only when the call is there.
const TREE_MODULE = '../pending/tree-workflows.js';

/** The tree's registration, or undefined while redflow has no sub-workflows. */
export async function loadTreeRegistration(): Promise<RegisterTree | undefined> {
  if (!('createSubWorkflowInstance' in workflow)) return undefined;
  const loaded: unknown = await import(TREE_MODULE);
  const register = (loaded as { registerTreeWorkflows?: unknown }).registerTreeWorkflows;
  return typeof register === 'function' ? (register as RegisterTree) : undefined;
}

/** Whether this redflow can run the tree workload. */
export function treeSupported(): boolean {
  return 'createSubWorkflowInstance' in workflow;
}
