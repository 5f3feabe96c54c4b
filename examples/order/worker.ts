import { Worker } from '../../src/index.js';
import { createBackend } from '../shared/backend.js';
import { registerOrderProcessing } from './register.js';
import { stopOnSignals } from './shutdown.js';

// A worker process as a pod runs it: on SIGTERM it stops taking tasks, finishes or releases what it holds,
// and exits, so a rolling deploy loses nothing and delays nothing by a lease timeout.
const { backend, description } = createBackend();
const worker = new Worker(backend, { queues: (process.env.REDFLOW_QUEUES ?? 'default').split(',') });
registerOrderProcessing(worker);
stopOnSignals(async () => {
  await worker.stop();
  await backend.close();
});
await worker.start();
console.log(`order worker running on ${description}`);
