import { ActivityTaskHandler } from '../../src/worker/activity-task-handler.js';
import { WorkflowTaskHandler } from '../../src/worker/workflow-task-handler.js';
import { countTask } from '../task-count.js';

let counting = false;

/**
 * Counts every workflow and activity task a redflow worker of this process handles, handed over or claimed
 * alike: every task passes through its handler's `handle`, which is wrapped here so the engine needs no hook.
 * A task counts once `handle` settled (it never throws).
 */
export function countRedflowTasks(): void {
  if (counting) return;
  counting = true;
  const workflow = WorkflowTaskHandler.prototype;
  const handleWorkflow = workflow.handle; // eslint-disable-line @typescript-eslint/unbound-method -- rebound below with call
  workflow.handle = async function (this: WorkflowTaskHandler, task) {
    await handleWorkflow.call(this, task);
    countTask('workflowTasks');
  };
  const activity = ActivityTaskHandler.prototype;
  const handleActivity = activity.handle; // eslint-disable-line @typescript-eslint/unbound-method -- rebound below with call
  activity.handle = async function (this: ActivityTaskHandler, task) {
    await handleActivity.call(this, task);
    countTask('activityTasks');
  };
}
