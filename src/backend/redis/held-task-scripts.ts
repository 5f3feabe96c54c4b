import type { HeldTaskRetryPolicy } from '../backend.js';
import { ScriptRunner, type RedisClient } from './script-runner.js';

/** Keys of `holdWorkflowTask`. */
export interface HoldWorkflowTaskKeys {
  execution: string;
  workflowTasks: string;
  timers: string;
  executionTimers: string;
  /** The partition's held index. */
  held: string;
}

/** Arguments of `holdWorkflowTask`. */
export interface HoldWorkflowTaskArgs {
  lockToken: number;
  entryId: string;
  group: string;
  executionId: string;
  /** The execution's index member (`indexMember`). */
  member: string;
  /** The timers member of its retry (`holdRetryMember`). */
  retryMember: string;
  reason: string;
  errorType: string;
  errorMessage: string;
  retry: HeldTaskRetryPolicy;
}

/** What hold-workflow-task.lua recorded; times in ms of the Redis clock, `retryAtMs` 0 once parked. */
export interface RecordedHold {
  attempts: number;
  sinceMs: number;
  retryAtMs: number;
}

/** Keys of `retryHeldWorkflowInstance`. */
export interface RetryHeldKeys {
  execution: string;
  inbox: string;
  workflowTasks: string;
  timers: string;
  executionTimers: string;
  held: string;
}

/** Arguments of `retryHeldWorkflowInstance`. */
export interface RetryHeldArgs {
  instanceId: string;
  executionId: string;
  member: string;
  retryMember: string;
}

/** Typed calls of the held-task scripts. */
export class HeldTaskScripts {
  readonly #runner: ScriptRunner;

  constructor(client: RedisClient) {
    this.#runner = new ScriptRunner(client);
  }

  /** Runs hold-workflow-task.lua. Rejects with a `LEASE_LOST` reply error. */
  async holdWorkflowTask(keys: HoldWorkflowTaskKeys, args: HoldWorkflowTaskArgs): Promise<RecordedHold> {
    const k = [keys.execution, keys.workflowTasks, keys.timers, keys.executionTimers, keys.held];
    const { retry } = args;
    const a = [
      args.lockToken,
      args.entryId,
      args.group,
      args.executionId,
      args.member,
      args.retryMember,
      args.reason,
      args.errorType,
      args.errorMessage,
      retry.firstRetryIntervalMs,
      retry.backoffCoefficient,
      retry.maxRetryIntervalMs,
      retry.maxAttempts,
    ];
    const [attempts, sinceMs, retryAtMs] = (await this.#runner.run('hold-workflow-task', k, a)) as [number, number, number];
    return { attempts, sinceMs, retryAtMs };
  }

  /** Runs retry-held-workflow-instance.lua: `'retried'`, `'not-held'` or `'missing'` (no such execution). */
  async retryHeldWorkflowInstance(keys: RetryHeldKeys, args: RetryHeldArgs): Promise<'retried' | 'not-held' | 'missing'> {
    const k = [keys.execution, keys.inbox, keys.workflowTasks, keys.timers, keys.executionTimers, keys.held];
    const reply = await this.#runner.run('retry-held-workflow-instance', k, [args.instanceId, args.executionId, args.member, args.retryMember]);
    return reply === 1 ? 'retried' : reply === 0 ? 'not-held' : 'missing';
  }
}
