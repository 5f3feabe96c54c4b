/** The benchmark workloads: each runs on redflow and, with `--peer bullmq`, on BullMQ. */
export type WorkloadSpec = ChainSpec | FanoutSpec | TimersSpec | SleepersSpec | StartSpec | TreeSpec | ParentsSpec;

/** The kind of a workload: the first argument of `npm run bench`. */
export type WorkloadKind = WorkloadSpec['kind'];

/** One workflow of `steps` sequential activities. */
export interface ChainSpec {
  kind: 'chain';
  steps: number;
}

/** One workflow running `activities` activities in parallel. */
export interface FanoutSpec {
  kind: 'fanout';
  activities: number;
}

/** `runs` workflows that each sleep `sleepMs` on a durable timer. */
export interface TimersSpec {
  kind: 'timers';
  runs: number;
  sleepMs: number;
  /** Starts in flight at once. */
  concurrency: number;
}

/**
 * `runs` workflows that each sleep `sleepMs` on one durable timer, measured while all of them sleep (Redis
 * memory, worker memory) and after they woke (lateness, worker memory).
 */
export interface SleepersSpec {
  kind: 'sleepers';
  runs: number;
  sleepMs: number;
  /** Starts in flight at once. */
  concurrency: number;
}

/** `runs` workflow starts from the client, nothing else. */
export interface StartSpec {
  kind: 'start';
  runs: number;
  concurrency: number;
}

/**
 * go-workflows' benchmark tree: `runs` roots, each starting `fanout` mids, mids nesting `depth` levels deep,
 * the lowest mids starting `leafFanout` leaves, each leaf running `activities` parallel activities that return
 * `resultSizeBytes` bytes.
 */
export interface TreeSpec {
  kind: 'tree';
  runs: number;
  shape: TreeShape;
  concurrency: number;
}

/**
 * The cross-partition probe: `runs` parents, each starting `children` child workflows (each runs one activity,
 * then sleeps `sleepMs` on a durable timer) and waiting for a signal the client sends it right after starting
 * it; a parent returns once every child finished and the signal came. With several partitions the children,
 * their results and the signal are messages between partitions.
 */
export interface ParentsSpec {
  kind: 'parents';
  runs: number;
  children: number;
  sleepMs: number;
  /** Parents started (and signalled) in flight at once. */
  concurrency: number;
}

/** The shape of one tree below its root. */
export interface TreeShape {
  depth: number;
  fanout: number;
  leafFanout: number;
  activities: number;
  resultSizeBytes: number;
}

/** Workflows and activities one tree contains (root, mids and leaves). */
export function treeSize(shape: TreeShape): { workflows: number; activities: number } {
  let workflows = 1;
  let level = 1;
  for (let d = 0; d < shape.depth; d++) {
    level *= shape.fanout;
    workflows += level;
  }
  const leaves = level * shape.leafFanout;
  return { workflows: workflows + leaves, activities: leaves * shape.activities };
}

/** Workflows and activities a whole workload runs. */
export function workloadSize(spec: WorkloadSpec): { workflows: number; activities: number } {
  switch (spec.kind) {
    case 'chain':
      return { workflows: 1, activities: spec.steps };
    case 'fanout':
      return { workflows: 1, activities: spec.activities };
    case 'timers':
    case 'sleepers':
    case 'start':
      return { workflows: spec.runs, activities: 0 };
    case 'parents':
      return { workflows: spec.runs * (1 + spec.children), activities: spec.runs * spec.children };
    case 'tree': {
      const one = treeSize(spec.shape);
      return { workflows: one.workflows * spec.runs, activities: one.activities * spec.runs };
    }
  }
}
