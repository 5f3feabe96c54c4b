import type { FlowJob } from 'bullmq';
import type { TreeShape } from '../workload.js';
import type { TreeJob } from './jobs.js';

const QUEUE = 'tree';

type Node = FlowJob & { data?: TreeJob };

/** One tree as a BullMQ flow: each parent job runs after its children, as a workflow waits for its children. */
export function treeFlow(rootJobId: string, shape: TreeShape): FlowJob {
  return { name: 'root', queueName: QUEUE, opts: { jobId: rootJobId }, children: times(shape.fanout, () => mid(shape, shape.depth - 1)) };
}

function mid(shape: TreeShape, depth: number): Node {
  const children = depth === 0 ? times(shape.leafFanout, () => leaf(shape)) : times(shape.fanout, () => mid(shape, depth - 1));
  return { name: 'mid', queueName: QUEUE, children };
}

function leaf(shape: TreeShape): Node {
  const activity: Node = { name: 'activity', queueName: QUEUE, data: { resultSizeBytes: shape.resultSizeBytes } };
  return { name: 'leaf', queueName: QUEUE, children: times(shape.activities, () => ({ ...activity })) };
}

function times<T>(n: number, make: () => T): T[] {
  return Array.from({ length: n }, make);
}
