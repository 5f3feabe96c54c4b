import type { Progress } from './progress.js';
import type { SystemName } from './system.js';
import type { WorkloadSpec } from './workload.js';

/** What a workload run produced, as seen from the client. */
export interface RunOutcome {
  workflows: number;
  activities: number;
  /** Per-workflow lateness of the timers and sleepers workloads, ms. */
  latenessMs?: number[];
  /** Per-parent completion time of the parents workload, from its start until the client had its result, ms. */
  completionMs?: number[];
}

/** Calls a driver makes into the harness in the middle of a run. */
export interface RunHooks {
  /** Sleepers: every instance was started (not necessarily asleep yet); resolves once the harness measured them asleep. */
  allStarted(): Promise<void>;
}

/** The client side of one system: starts a workload's work and waits until all of it finished. */
export interface SystemDriver {
  readonly system: SystemName;
  /** Connects and sets up what must exist before the clock starts. */
  prepare(spec: WorkloadSpec): Promise<void>;
  /** Runs the workload and checks every result; rejects if any is wrong. */
  run(spec: WorkloadSpec, progress: Progress, hooks?: RunHooks): Promise<RunOutcome>;
  close(): Promise<void>;
}
