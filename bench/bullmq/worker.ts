import { Queue, Worker, type Job, type Processor } from 'bullmq';
import { payload } from '../payload.js';
import { markStep } from '../step-marks.js';
import { bullmqConnection, type BullmqConnection, type WorkerConfig } from '../system.js';
import { countTask } from '../task-count.js';
import { BULLMQ_CONCURRENCY, chainJobId, type ChainJob, type FanoutJob, type TreeJob } from './jobs.js';

type Stop = () => Promise<void>;

/** Starts a BullMQ worker for the workload's queue; resolves with a function that stops it. */
export async function startBullmqWorker(config: WorkerConfig): Promise<Stop> {
  const { connection, close } = bullmqConnection(config.redis);
  const stop = await startFor(config, connection);
  return async () => {
    await stop();
    await close();
  };
}

async function startFor(config: WorkerConfig, connection: BullmqConnection['connection']): Promise<Stop> {
  const queueOptions = { connection, prefix: config.prefix };
  const workerOptions = { ...queueOptions, concurrency: BULLMQ_CONCURRENCY };
  switch (config.workload) {
    case 'chain': {
      // Each step adds the next one: that is how a sequence of jobs is written without flows.
      const queue = new Queue<ChainJob>('chain', queueOptions);
      const worker = new Worker<ChainJob, number>('chain', chainProcessor(queue), workerOptions);
      return ready(worker, () => queue.close());
    }
    case 'fanout':
      return ready(new Worker<FanoutJob, number>('fanout', fanoutProcessor, workerOptions));
    case 'timers':
      return ready(new Worker<object, number>('timers', timerProcessor, workerOptions));
    case 'sleepers':
      return ready(new Worker<object, number>('sleepers', timerProcessor, workerOptions));
    case 'tree':
      return ready(new Worker<TreeJob, number | string>('tree', treeProcessor, workerOptions));
    default:
      return async () => undefined;
  }
}

async function ready<D, R>(worker: Worker<D, R>, closeMore: () => Promise<void> = async () => undefined): Promise<Stop> {
  worker.on('completed', () => countTask('jobs'));
  worker.on('failed', (job, err) => {
    countTask('jobs');
    process.stderr.write(`bullmq job ${job?.id ?? '?'} failed: ${err.message}\n`);
  });
  await worker.waitUntilReady();
  return async () => {
    await worker.close();
    await closeMore();
  };
}

function chainProcessor(queue: Queue<ChainJob>): Processor<ChainJob, number> {
  return async (job: Job<ChainJob, number>) => {
    markStep();
    const { runId, step, steps } = job.data;
    if (step + 1 < steps) await queue.add('step', { runId, step: step + 1, steps }, { jobId: chainJobId(runId, step + 1) });
    return step + 1;
  };
}

async function fanoutProcessor(job: Job<FanoutJob, number>): Promise<number> {
  if (job.name === 'branch') return job.data.index ?? 0;
  return Object.keys(await job.getChildrenValues()).length;
}

async function timerProcessor(job: Job<object, number>): Promise<number> {
  return Date.now() - (job.timestamp + (job.opts.delay ?? 0));
}

async function treeProcessor(job: Job<TreeJob, number | string>): Promise<number | string> {
  if (job.name === 'activity') return payload(job.data.resultSizeBytes ?? 0);
  const values = Object.values(await job.getChildrenValues<number | string>());
  if (job.name === 'leaf') return values.length;
  return values.reduce<number>((total, n) => total + Number(n), 0);
}
