import { workflow, type Worker, type WorkflowContext } from '../../src/index.js';
import { payload } from '../payload.js';
import type { TreeShape } from '../workload.js';

/** A leaf's activity: returns `resultSizeBytes` bytes. */
export async function treeActivity(resultSizeBytes: number): Promise<string> {
  return payload(resultSizeBytes);
}

/** A leaf: runs the shape's activities in parallel; returns how many results came back. */
export async function benchTreeLeaf(ctx: WorkflowContext, shape: TreeShape): Promise<number> {
  const calls = Array.from({ length: shape.activities }, () => workflow.executeActivity(ctx, {}, treeActivity, shape.resultSizeBytes));
  return (await Promise.all(calls)).length;
}

/** A mid: `depth` 0 starts the leaves, any other depth the mids one level down; returns the activities below it. */
export async function benchTreeMid(ctx: WorkflowContext, shape: TreeShape, depth: number): Promise<number> {
  const children =
    depth === 0
      ? Array.from({ length: shape.leafFanout }, () => workflow.createSubWorkflowInstance(ctx, {}, benchTreeLeaf, shape))
      : Array.from({ length: shape.fanout }, () => workflow.createSubWorkflowInstance(ctx, {}, benchTreeMid, shape, depth - 1));
  return sum(await Promise.all(children));
}

/** A root: starts `fanout` mids `depth - 1` levels above the leaves; returns the activities of the whole tree. */
export async function benchTreeRoot(ctx: WorkflowContext, shape: TreeShape): Promise<number> {
  const mids = Array.from({ length: shape.fanout }, () => workflow.createSubWorkflowInstance(ctx, {}, benchTreeMid, shape, shape.depth - 1));
  return sum(await Promise.all(mids));
}

/** Registers the tree's workflows and activity. */
export function registerTreeWorkflows(worker: Worker): void {
  worker.registerWorkflow(benchTreeRoot).registerWorkflow(benchTreeMid).registerWorkflow(benchTreeLeaf).registerWorkflow(benchTreeProbe);
  worker.registerActivity(treeActivity);
}

function sum(values: number[]): number {
  return values.reduce((total, n) => total + n, 0);
}

/** A parent with one empty child: finishes at once where sub-workflows work, which the tree needs. */
export async function benchTreeProbe(ctx: WorkflowContext): Promise<number> {
  const empty: TreeShape = { depth: 0, fanout: 0, leafFanout: 0, activities: 0, resultSizeBytes: 0 };
  return workflow.createSubWorkflowInstance(ctx, {}, benchTreeLeaf, empty);
}
