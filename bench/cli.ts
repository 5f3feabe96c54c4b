import { parseArgs } from 'node:util';
import type { AofMode } from './local-redis.js';
import type { WorkloadSpec } from './workload.js';

/** What `npm run bench -- ...` asked for. */
export type Command =
  | { kind: 'workload'; spec: WorkloadSpec; common: CommonFlags }
  | { kind: 'idle'; seconds: number; common: CommonFlags }
  | { kind: 'soak'; seconds: number; steps: number; sampleMs: number; common: CommonFlags };

/** Flags every command takes. */
export interface CommonFlags {
  redisUrl?: string;
  aof: AofMode;
  /** Masters of the Redis Cluster the harness starts (`--cluster`); a single Redis when absent. */
  cluster?: number;
  /** redflow's `partitions` (`--partitions`); the backend's default when absent. */
  partitions?: number;
  workers: number;
  peer?: 'bullmq';
  json: boolean;
  /** Directory for worker CPU profiles (`--cpu-prof`). */
  cpuProfDir?: string;
  /** redflow workers' `executorCacheSize` (`--executor-cache-size`). */
  executorCacheSize?: number;
}

/** The usage text. */
export const USAGE = `usage: npm run bench -- <workload> [flags]

workloads:
  chain    one workflow of --steps sequential activities (default 200); per-step latency
  fanout   one workflow of --activities parallel activities (default 1000)
  timers   --runs workflows (default 1000) each sleeping --sleep-ms (default 2000); timer lateness
  sleepers --runs workflows (default 100000) all asleep on one --sleep-ms timer (default 60000): Redis
           memory per sleeper, worker RSS asleep and awake, wake lateness
  start    --runs workflow starts from the client (default 5000), no workers
  parents  the cross-partition probe: --runs parents (default 50), each starting --children child workflows
           (4) that run one activity and sleep --sleep-ms (50) on a durable timer, and waiting for a signal
           the client sends it; redflow only
  tree     go-workflows' tree: --runs roots (1), --depth (2), --fanout (2), --leaffanout (2),
           --activities per leaf (2), --resultsize bytes per activity result (100)
  idle     worker processes with nothing to do for --seconds (default 30): CPU and Redis traffic
  soak     chains of --steps (default 100) back to back for --seconds (default 180), worker RSS
           sampled every --sample-ms (default 10000)

flags:
  --redis URL          use this Redis (default: start redis-server on a free loopback port)
  --aof always|everysec|off   AOF of the Redis the harness starts (default off)
  --cluster N          start a local Redis Cluster of N >= 3 masters (no replicas) instead of one Redis; both
                       systems use an ioredis Cluster (BullMQ's prefix is one hash tag: one slot, one shard)
  --partitions N       partitions of redflow's RedisBackend (default: the backend's, 1)
  --workers N          worker processes (default 1)
  --peer bullmq        run the same workload on BullMQ too, and print redflow/BullMQ ratios
  --concurrency N      starts in flight at once for timers, sleepers, start, tree and parents (default 100)
  --json               one JSON line per system instead of a table
  --cpu-prof DIR       write a CPU profile of every worker process into DIR
  --executor-cache-size N   executorCacheSize of the redflow workers (default: the worker's, 128);
                       0 replays the whole history on every workflow task
`;

const INTEGER_FLAGS = ['steps', 'activities', 'runs', 'sleep-ms', 'depth', 'fanout', 'leaffanout', 'resultsize', 'concurrency', 'workers', 'seconds', 'sample-ms', 'executor-cache-size', 'cluster', 'partitions', 'children'] as const;

type IntegerFlag = (typeof INTEGER_FLAGS)[number];

/** Parses the command line; throws an `Error` whose message says what is wrong. */
export function parseCommand(argv: string[]): Command {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...Object.fromEntries(INTEGER_FLAGS.map((flag) => [flag, { type: 'string' }])),
      redis: { type: 'string' },
      aof: { type: 'string', default: 'off' },
      peer: { type: 'string' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
    } as const,
  });
  const flags = values as Record<string, string | boolean | undefined>;
  const int = (flag: IntegerFlag, fallback: number, min = 1): number => {
    const raw = flags[flag];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${flag} must be an integer >= ${min}, got ${String(raw)}`);
    return value;
  };
  const aof = flags.aof;
  if (aof !== 'always' && aof !== 'everysec' && aof !== 'off') throw new Error(`--aof must be always, everysec or off, got ${String(aof)}`);
  const peer = flags.peer;
  if (peer !== undefined && peer !== 'bullmq') throw new Error(`--peer must be bullmq, got ${String(peer)}`);
  const common: CommonFlags = {
    redisUrl: typeof flags.redis === 'string' ? flags.redis : undefined,
    aof,
    workers: int('workers', 1),
    peer,
    json: flags.json === true,
    cpuProfDir: typeof flags['cpu-prof'] === 'string' ? flags['cpu-prof'] : undefined,
    executorCacheSize: flags['executor-cache-size'] === undefined ? undefined : int('executor-cache-size', 0, 0),
    // Redis Cluster needs three masters at least (redis-cli --cluster create refuses fewer).
    cluster: flags.cluster === undefined ? undefined : int('cluster', 3, 3),
    partitions: flags.partitions === undefined ? undefined : int('partitions', 1),
  };
  const concurrency = int('concurrency', 100);
  const [workload, ...extra] = positionals;
  if (extra.length > 0) throw new Error(`unexpected arguments: ${extra.join(' ')}`);
  switch (workload) {
    case 'chain':
      return { kind: 'workload', common, spec: { kind: 'chain', steps: int('steps', 200) } };
    case 'fanout':
      return { kind: 'workload', common, spec: { kind: 'fanout', activities: int('activities', 1000) } };
    case 'timers':
      return { kind: 'workload', common, spec: { kind: 'timers', runs: int('runs', 1000), sleepMs: int('sleep-ms', 2000, 0), concurrency } };
    case 'sleepers':
      return { kind: 'workload', common, spec: { kind: 'sleepers', runs: int('runs', 100_000), sleepMs: int('sleep-ms', 60_000, 0), concurrency } };
    case 'start':
      return { kind: 'workload', common, spec: { kind: 'start', runs: int('runs', 5000), concurrency } };
    case 'parents':
      return { kind: 'workload', common, spec: { kind: 'parents', runs: int('runs', 50), children: int('children', 4), sleepMs: int('sleep-ms', 50, 0), concurrency } };
    case 'tree': {
      const shape = {
        depth: int('depth', 2),
        fanout: int('fanout', 2),
        leafFanout: int('leaffanout', 2),
        activities: int('activities', 2),
        resultSizeBytes: int('resultsize', 100, 0),
      };
      return { kind: 'workload', common, spec: { kind: 'tree', runs: int('runs', 1), shape, concurrency } };
    }
    case 'idle':
      return { kind: 'idle', common, seconds: int('seconds', 30) };
    case 'soak':
      return { kind: 'soak', common, seconds: int('seconds', 180), steps: int('steps', 100), sampleMs: int('sample-ms', 10_000) };
    default:
      throw new Error(workload === undefined ? 'which workload?' : `unknown workload ${workload}`);
  }
}
