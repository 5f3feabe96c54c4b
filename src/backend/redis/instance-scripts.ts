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

/** Keys of `removeWorkflowInstance`. */
export interface RemoveWorkflowInstanceKeys {
  instance: string;
  execution: string;
  inbox: string;
  history: string;
  executionTimers: string;
  timers: string;
  instances: string;
  finished: string;
  expiring: string;
  active: string;
}

/** What `removeWorkflowInstance` found. */
export type RemovalResult = 'removed' | 'missing' | 'active';

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

  /** Runs remove-workflow-instance.lua. */
  async removeWorkflowInstance(keys: RemoveWorkflowInstanceKeys, instanceId: string, executionId: string): Promise<RemovalResult> {
    const k = [
      keys.instance,
      keys.execution,
      keys.inbox,
      keys.history,
      keys.executionTimers,
      keys.timers,
      keys.instances,
      keys.finished,
      keys.expiring,
      keys.active,
    ];
    const reply = await this.#runner.run('remove-workflow-instance', k, [instanceId, executionId]);
    return reply === 1 ? 'removed' : reply === -1 ? 'active' : 'missing';
  }
}
