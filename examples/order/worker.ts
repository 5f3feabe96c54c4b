import { Worker } from '../../src/index.js';
import { createBackend } from './backend.js';
import { registerOrderProcessing } from './register.js';

// A worker process as a pod runs it: on SIGTERM it stops taking tasks, finishes or releases what it holds,
// and exits, so a rolling deploy loses nothing and delays nothing by a lease timeout.
const { backend, description } = createBackend();
const worker = new Worker(backend, { queues: (process.env.REDFLOW_QUEUES ?? 'default').split(',') });
registerOrderProcessing(worker);
await worker.start();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping gracefully`);
    worker
      .stop()
      .then(() => backend.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error('stop failed', err);
          process.exit(1);
        },
      );
  });
}
console.log(`order worker running on ${description}`);
