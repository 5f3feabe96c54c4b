import type { WorkerInfo } from '../../backend/backend.js';
import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { renderTable } from '../format/table.js';
import { formatDate } from '../format/values.js';

/** One worker as `redflow workers --json` writes it: every field present (`version` null when not given). */
function workerJson(w: WorkerInfo): Omit<WorkerInfo, 'version'> & { version: string | null } {
  return Object.assign({}, w, { version: w.version ?? null });
}

function polls(w: WorkerInfo): string {
  return [w.pollsWorkflowTasks ? 'workflows' : '', w.pollsActivityTasks ? 'activities' : ''].filter(Boolean).join('+') || 'nothing';
}

/** `redflow workers`: the live workers (`Client.getWorkers`). */
export const registerWorkers: CommandRegistration = (program, { output }) => {
  storeCommand(
    program
      .command('workers')
      .summary('list the live workers')
      .description('List the live workers: their host and process, queues, what they poll and register, versions.'),
    'to read',
  ).action(async (options: StoreCommandOptions) => {
    const workers = await withClient(options, (client) => client.getWorkers());
    if (options.json === true) {
      writeJson(output, workers.map(workerJson));
      return;
    }
    if (workers.length === 0) {
      output.out('No live workers.');
      return;
    }
    const rows = workers.map((w) => [
      w.workerId,
      `${w.hostname}:${w.pid}`,
      w.queues.join(','),
      polls(w),
      String(w.workflows.length),
      String(w.activities.length),
      w.version ?? '-',
      w.redflowVersion,
      formatDate(w.startedAt),
      formatDate(w.lastSeenAt),
    ]);
    const headers = ['WORKER', 'HOST:PID', 'QUEUES', 'POLLS', 'WORKFLOWS', 'ACTIVITIES', 'VERSION', 'REDFLOW', 'STARTED', 'LAST SEEN'];
    for (const line of renderTable(headers, rows)) output.out(line);
  });
};
