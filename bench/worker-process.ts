// Entry of a benchmark worker process: serves one system's workload and reports its own CPU, memory,
// Redis commands and step marks over IPC.
import { startBullmqWorker } from './bullmq/worker.js';
import { isParentMessage, type ChildMessage, type WorkerReport } from './ipc.js';
import { countRedisCalls, takeRedisCalls } from './redis-call-counter.js';
import { startRedflowWorker } from './redflow/worker.js';
import { takeStepMarks } from './step-marks.js';
import { peekTaskCounts, takeTaskCounts } from './task-count.js';
import type { WorkerConfig } from './system.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

function report(cpuSince: NodeJS.CpuUsage): WorkerReport {
  const cpu = process.cpuUsage(cpuSince);
  return {
    cpuSec: (cpu.user + cpu.system) / 1e6,
    rssBytes: process.memoryUsage.rss(),
    heapUsedBytes: process.memoryUsage().heapUsed,
    // maxRSS is in KiB.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    stepMarks: takeStepMarks(),
    redisCalls: takeRedisCalls(),
    tasks: takeTaskCounts(),
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig;
  countRedisCalls();
  const stop = config.system === 'redflow' ? await startRedflowWorker(config) : await startBullmqWorker(config);
  let cpuSince = process.cpuUsage();
  // The harness died without stopping us: nobody will read our reports, and nobody else stops us.
  process.once('disconnect', () => process.exit(1));
  process.on('message', (message: unknown) => {
    if (!isParentMessage(message)) return;
    switch (message.type) {
      case 'reset':
        takeStepMarks();
        takeRedisCalls();
        takeTaskCounts();
        cpuSince = process.cpuUsage();
        send({ type: 'reset' });
        return;
      case 'report':
        // With --expose-gc the heap figure is what survives a full collection, not where the GC happened to be.
        if (message.collectGarbage === true && typeof globalThis.gc === 'function') globalThis.gc();
        send({ type: 'report', report: report(cpuSince) });
        return;
      case 'sample':
        if (message.collectGarbage === true && typeof globalThis.gc === 'function') globalThis.gc();
        send({ type: 'sample', sample: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed, tasks: peekTaskCounts() } });
        return;
      case 'stop':
        void stop().then(
          () => {
            send({ type: 'stopped' });
            process.removeAllListeners('disconnect');
            process.disconnect();
          },
          (err: unknown) => send({ type: 'failed', message: String(err) }),
        );
    }
  });
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  process.disconnect?.();
});
