import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { RedisBackend } from '../../src/backend/redis/redis-backend.js';
import { createLogger, DEFAULT_LOG_LEVEL } from '../../src/core/logger.js';
import { InvalidArgumentError } from '../../src/errors/errors.js';
import { Worker } from '../../src/worker/worker.js';
import { jsonLines, startProcess } from '../helpers/processes.js';
import { useRedisServer } from '../helpers/redis-server.js';

const RUN_MS = 60_000;

/** The keys at the top level of a JSON object text, in order and with repeats (JSON.parse would hide them). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (depth === 1 && text[end + 1] === ':') keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      i = end;
    }
  }
  return keys;
}

function withEnv<T>(value: string | undefined, run: () => T): T {
  const saved = process.env.REDFLOW_LOG_LEVEL;
  if (value === undefined) delete process.env.REDFLOW_LOG_LEVEL;
  else process.env.REDFLOW_LOG_LEVEL = value;
  try {
    return run();
  } finally {
    if (saved === undefined) delete process.env.REDFLOW_LOG_LEVEL;
    else process.env.REDFLOW_LOG_LEVEL = saved;
  }
}

describe('log levels and log lines', function () {
  this.timeout(RUN_MS + 10_000);
  const server = useRedisServer();

  /** Runs test/logging/logging-process.ts, whose worker, backend and client use their default loggers. */
  async function run(backend: 'redis' | 'memory', level: string): Promise<{ code: number | null; lines: string[] }> {
    const proc = startProcess(process.execPath, ['--import', 'tsx', 'test/logging/logging-process.ts'], {
      BACKEND: backend,
      REDIS_URL: server().url,
      REDFLOW_PREFIX: `logging-${randomUUID()}`,
      REDFLOW_LOG_LEVEL: level,
    });
    const timer = setTimeout(() => proc.killGroup(), RUN_MS);
    const { code } = await proc.exited;
    clearTimeout(timer);
    return { code, lines: proc.lines };
  }

  for (const backend of ['redis', 'memory'] as const) {
    describe(`on ${backend}`, () => {
      it('REDFLOW_LOG_LEVEL=debug shows debug lines of the workflow, the activity and the backend, none repeating a field', async () => {
        const { code, lines } = await run(backend, 'debug');
        assert.equal(code, 0, lines.join('\n'));
        const byMessage = new Map(jsonLines(lines).map((line) => [line.msg, line]));
        for (const msg of ['worker started', 'workflow info', 'workflow debug', 'activity info', 'activity debug', 'worker stopped']) {
          assert.ok(byMessage.has(msg), `${msg} in:\n${lines.join('\n')}`);
        }
        // The backend's own line, at debug level.
        assert.equal(byMessage.get('activity outcome not delivered')?.level, 20, lines.join('\n'));
        // No field twice in a line: the activity logs `attempt`, which its logger already carries.
        const raw = lines.filter((line) => line.startsWith('{'));
        const activityInfo = raw.find((line) => line.includes('"msg":"activity info"'));
        assert.ok(activityInfo !== undefined, lines.join('\n'));
        assert.equal(activityInfo.split('"attempt":').length - 1, 1, activityInfo);
        for (const line of raw) {
          const keys = topLevelKeys(line);
          assert.deepEqual(keys, [...new Set(keys)], `a field repeated in ${line}`);
        }
        assert.ok(raw.some((line) => line.includes('"step":"child"')), 'a child of the activity logger keeps its own fields');
      });

      it('REDFLOW_LOG_LEVEL=warn silences every info and debug line of the worker, the backend and the client', async () => {
        const { code, lines } = await run(backend, 'warn');
        assert.equal(code, 0, lines.join('\n'));
        assert.deepEqual(jsonLines(lines).filter((line) => Number(line.level) < 40), []);
      });

      it('REDFLOW_LOG_LEVEL=info shows info lines and no debug line', async () => {
        const { code, lines } = await run(backend, 'INFO');
        assert.equal(code, 0, lines.join('\n'));
        const parsed = jsonLines(lines);
        assert.ok(parsed.some((line) => line.msg === 'activity info'), lines.join('\n'));
        assert.deepEqual(parsed.filter((line) => Number(line.level) < 30), []);
      });

    });
  }

  it('an invalid REDFLOW_LOG_LEVEL stops the process with a clear error', async () => {
    const { code, lines } = await run('memory', 'verbose');
    assert.notEqual(code, 0);
    assert.ok(
      lines.some((line) => line.includes('REDFLOW_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "verbose"')),
      lines.join('\n'),
    );
  });

  describe('createLogger', () => {
    it('takes the level from REDFLOW_LOG_LEVEL, ignoring case and spaces, else the default', () => {
      assert.equal(withEnv(' Debug ', () => createLogger().level), 'debug');
      assert.equal(withEnv(undefined, () => createLogger().level), DEFAULT_LOG_LEVEL);
      assert.equal(withEnv('', () => createLogger({ defaultLevel: 'silent' }).level), 'silent');
      assert.equal(withEnv('error', () => createLogger({ defaultLevel: 'silent' }).level), 'error');
      assert.throws(() => withEnv('loud', () => createLogger()), InvalidArgumentError);
    });

    it('is not consulted when a logger is given: it is used as is', () => {
      const logger = pino({ level: 'error' });
      withEnv('not-a-level', () => {
        assert.throws(() => new Worker(new MemoryBackend({ logger })), InvalidArgumentError);
        const memory = new MemoryBackend({ logger });
        void memory.close();
        new Worker(memory, { logger });
        void new RedisBackend({ redis: server().url, prefix: `logging-${randomUUID()}`, logger }).close();
      });
    });
  });
});
