// `npm run bench -- <workload> [flags]`: see USAGE in cli.ts and bench/README.md.
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { runIdle, runSoak, type CheckOptions } from './checks.js';
import { USAGE, parseCommand, type Command, type CommonFlags } from './cli.js';
import { runBenchmark, systemsOf, withRedis } from './run-benchmark.js';
import { formatTable } from './table.js';
import type { WorkloadSpec } from './workload.js';

function describe(spec: WorkloadSpec): string {
  switch (spec.kind) {
    case 'chain':
      return `chain --steps ${spec.steps}`;
    case 'fanout':
      return `fanout --activities ${spec.activities}`;
    case 'timers':
      return `timers --runs ${spec.runs} --sleep-ms ${spec.sleepMs}`;
    case 'sleepers':
      return `sleepers --runs ${spec.runs} --sleep-ms ${spec.sleepMs}`;
    case 'start':
      return `start --runs ${spec.runs}`;
    case 'parents':
      return `parents --runs ${spec.runs} --children ${spec.children} --sleep-ms ${spec.sleepMs}`;
    case 'tree': {
      const s = spec.shape;
      return `tree --runs ${spec.runs} --depth ${s.depth} --fanout ${s.fanout} --leaffanout ${s.leafFanout} --activities ${s.activities} --resultsize ${s.resultSizeBytes}`;
    }
  }
}

function workerNodeArgs(common: CommonFlags): string[] {
  if (common.cpuProfDir === undefined) return [];
  const dir = resolve(common.cpuProfDir);
  mkdirSync(dir, { recursive: true });
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

// Other work on the machine skews every figure: the load average before the run shows whether there was any.
const loadAtStart = loadavg()[0]?.toFixed(2) ?? '?';

function setting(common: CommonFlags, redisVersion: string, workers = common.workers): string {
  const cache = common.executorCacheSize === undefined ? '' : `, redflow executorCacheSize ${common.executorCacheSize}`;
  const own = common.cluster === undefined ? `own Redis ${redisVersion}` : `own ${common.cluster}-master Redis Cluster ${redisVersion}`;
  const redis = common.redisUrl === undefined ? `${own}, aof ${common.aof}` : `Redis ${redisVersion} at ${common.redisUrl}`;
  const partitions = common.partitions === undefined ? '' : `, redflow partitions ${common.partitions}`;
  return `${workers === 0 ? 'no' : workers} worker process${workers === 1 ? '' : 'es'}, ${redis}${partitions}, load average ${loadAtStart} before${cache}`;
}

async function run(command: Command): Promise<void> {
  const { common } = command;
  const nodeArgs = workerNodeArgs(common);
  if (command.kind === 'workload') {
    const { redisVersion, results } = await runBenchmark({ ...common, spec: command.spec, workerNodeArgs: nodeArgs });
    if (common.json) for (const result of results) console.log(JSON.stringify({ ...result, redisVersion, loadAverageBefore: Number(loadAtStart) }));
    else console.log(formatTable(`${describe(command.spec)} (${setting(common, redisVersion, results[0]?.workers)})`, results));
    return;
  }
  await withRedis(common, async (redis, redisVersion) => {
    for (const system of systemsOf(common.peer)) {
      const options: CheckOptions = { system, redis, partitions: common.partitions, workers: common.workers, seconds: command.seconds, workerNodeArgs: nodeArgs };
      const result = command.kind === 'idle' ? await runIdle(options) : await runSoak({ ...options, steps: command.steps, sampleMs: command.sampleMs });
      if (common.json) console.log(JSON.stringify({ ...result, redisVersion, loadAverageBefore: Number(loadAtStart) }));
      else console.log(`${command.kind} (${setting(common, redisVersion)}): ${JSON.stringify(result, null, 1).replace(/\n\s*/g, ' ')}`);
    }
  });
}

let command: Command;
try {
  command = parseCommand(process.argv.slice(2));
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(2);
}
// Interrupted, the harness still stops what it started: exiting runs the 'exit' hooks that kill its own Redis
// servers (local-redis.ts, local-cluster.ts); the worker processes end when their IPC channel closes.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping; keys this run wrote to a Redis given with --redis stay under its bench-* prefix`);
    process.exit(code);
  });
}
await run(command);
