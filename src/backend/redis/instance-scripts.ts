import { ScriptRunner, type RedisClient } from './script-runner.js';

/** Keys of one execution that an event is delivered to. */
export interface DeliveryKeys {
  execution: string;
  inbox: string;
  /** Workflow-task stream of the execution's queue. */
  workflowTasks: string;
}

/** Keys of `signalWorkflow`: the instance hash and the execution the caller found active. */
export interface SignalWorkflowKeys extends DeliveryKeys {
  instance: string;
}

/** Keys of one execution that `removeWorkflowInstance` deletes. */
export interface RemovedExecutionKeys {
  execution: string;
  inbox: string;
  history: string;
  executionTimers: string;
}

/** Keys of `removeWorkflowInstance`: the instance, its partition's indexes, and each execution of the chain. */
export interface RemoveWorkflowInstanceKeys {
  instance: string;
  timers: string;
  instances: string;
  finished: string;
  expiring: string;
  active: string;
  chains: string;
  /** The keys of each execution of the chain, in the order of `RemoveWorkflowInstanceArgs.executionIds`. */
  executions: RemovedExecutionKeys[];
}

/** Arguments of `removeWorkflowInstance`. */
export interface RemoveWorkflowInstanceArgs {
  instanceId: string;
  /** The chain's executions, the one asked for first. */
  executionIds: string[];
  /** Only remove a chain that finished before this time (ms). */
  finishedBeforeMs?: number;
}

/**
 * What `removeWorkflowInstance` found: how many executions it removed, or why it removed none (`changed`:
 * the chain's executions are not the ones given; `later`: the chain finished at or after the bound).
 */
export type RemovalResult = { removed: number } | 'missing' | 'active' | 'changed' | 'later';

/** Typed calls of the Lua scripts that signal, cancel and remove instances. */
export class InstanceScripts {
  readonly #runner: ScriptRunner;

  constructor(client: RedisClient) {
    this.#runner = new ScriptRunner(client);
  }

  /** Runs signal-workflow.lua; false when `executionId` is no longer the instance's active execution. */
  async signalWorkflow(keys: SignalWorkflowKeys, instanceId: string, executionId: string, signal: Buffer): Promise<boolean> {
    const k = [keys.instance, keys.execution, keys.inbox, keys.workflowTasks];
    return (await this.#runner.run('signal-workflow', k, [instanceId, executionId, signal])) === 1;
  }

  /** Runs cancel-workflow-instance.lua; false when the execution is missing or no longer active. */
  async cancelWorkflowInstance(keys: DeliveryKeys, instanceId: string, executionId: string, canceled: Buffer): Promise<boolean> {
    const k = [keys.execution, keys.inbox, keys.workflowTasks];
    return (await this.#runner.run('cancel-workflow-instance', k, [instanceId, executionId, canceled])) === 1;
  }

  /** Runs remove-workflow-instance.lua: removes the chain of `args.executionIds[0]` as a whole. */
  async removeWorkflowInstance(keys: RemoveWorkflowInstanceKeys, args: RemoveWorkflowInstanceArgs): Promise<RemovalResult> {
    const k = [
      keys.instance,
      keys.timers,
      keys.instances,
      keys.finished,
      keys.expiring,
      keys.active,
      keys.chains,
      ...keys.executions.flatMap((e) => [e.execution, e.inbox, e.history, e.executionTimers]),
    ];
    const reply = Number(
      await this.#runner.run('remove-workflow-instance', k, [args.instanceId, args.finishedBeforeMs ?? '', ...args.executionIds]),
    );
    if (reply > 0) return { removed: reply };
    if (reply === -1) return 'active';
    if (reply === -2) return 'changed';
    if (reply === -3) return 'later';
    return 'missing';
  }
}
