/** A step of the chain: the job that runs it adds the next one. */
export interface ChainJob {
  runId: string;
  step: number;
  steps: number;
}

/** A branch of the fan-out (the parent job carries no data). */
export interface FanoutJob {
  index?: number;
}

/** A job of the tree: activities carry the size of the result they return. */
export interface TreeJob {
  resultSizeBytes?: number;
}

/** Id of the chain job that runs `step`. */
export function chainJobId(runId: string, step: number): string {
  return `${runId}-${step}`;
}

/** Jobs each worker process runs at once. */
export const BULLMQ_CONCURRENCY = 50;
