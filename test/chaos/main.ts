// `npm run chaos -- [--workflows 1000] [--mode aof|data-loss|both] [--workers 3] [--seed N] [--concurrency 50]`:
// the large chaos run (README.md, "Chaos test"). Exits 1 when a check failed.
import { parseArgs } from 'node:util';
import { failedChecks, formatReport, type ChaosMode } from './chaos-report.js';
import { runChaos } from './run-chaos.js';

const USAGE = 'usage: npm run chaos -- [--workflows 1000] [--mode aof|data-loss|both] [--workers 3] [--seed N] [--concurrency 50]';

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got ${value}`);
  return n;
}

function parse(): { modes: ChaosMode[]; workflows: number; workers: number; seed: number; concurrency: number } {
  const { values } = parseArgs({
    options: {
      workflows: { type: 'string', default: '1000' },
      mode: { type: 'string', default: 'both' },
      workers: { type: 'string', default: '3' },
      seed: { type: 'string', default: String(Math.floor(Math.random() * 2 ** 31)) },
      concurrency: { type: 'string', default: '50' },
    },
  });
  const modes: Record<string, ChaosMode[]> = { aof: ['aof'], 'data-loss': ['data-loss'], both: ['aof', 'data-loss'] };
  const chosen = modes[values.mode];
  if (chosen === undefined) throw new Error(`--mode must be aof, data-loss or both, got ${values.mode}`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  return {
    modes: chosen,
    workflows: positive(values.workflows, 'workflows'),
    workers: positive(values.workers, 'workers'),
    seed,
    concurrency: positive(values.concurrency, 'concurrency'),
  };
}

let args: ReturnType<typeof parse>;
try {
  args = parse();
} catch (err) {
  console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  process.exit(2);
}
let failed = false;
for (const mode of args.modes) {
  console.log(`chaos ${mode}: starting ${args.workflows} workflows on ${args.workers} workers (rerun with --seed ${args.seed})`);
  const report = await runChaos({ ...args, mode, progress: (line) => console.log(line) });
  console.log(formatReport(report));
  failed ||= failedChecks(report).length > 0;
}
process.exit(failed ? 1 : 0);
