/** Tasks a worker process ran: redflow's workflow and activity tasks, BullMQ's jobs. */
export interface TaskCounts {
  workflowTasks: number;
  activityTasks: number;
  jobs: number;
}

const counts: TaskCounts = { workflowTasks: 0, activityTasks: 0, jobs: 0 };

/** Counts one finished task of `kind` in this process. */
export function countTask(kind: keyof TaskCounts): void {
  counts[kind]++;
}

/** The tasks counted since the last `takeTaskCounts`, without forgetting them. */
export function peekTaskCounts(): TaskCounts {
  return { ...counts };
}

/** The tasks counted since the last call; forgets them. */
export function takeTaskCounts(): TaskCounts {
  const taken = { ...counts };
  counts.workflowTasks = 0;
  counts.activityTasks = 0;
  counts.jobs = 0;
  return taken;
}

/** Sums the counts of several processes. */
export function addTaskCounts(all: readonly TaskCounts[]): TaskCounts {
  return all.reduce((sum, c) => ({ workflowTasks: sum.workflowTasks + c.workflowTasks, activityTasks: sum.activityTasks + c.activityTasks, jobs: sum.jobs + c.jobs }), {
    workflowTasks: 0,
    activityTasks: 0,
    jobs: 0,
  });
}
