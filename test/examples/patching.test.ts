import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startProcess, type Exit, type TestProcess } from '../helpers/processes.js';
import { useRedisServer } from '../helpers/redis-server.js';

const EXPECTED = [
  'version 1: started order-1 and order-2; both charged and wait for the warehouse',
  'version 2 deployed: fraudCheck before chargeCard, behind patched(ctx, "fraud-check")',
  'version 2: started order-3',
  'order-1: old branch: chargeCard(order-1) -> shipped',
  'order-2: old branch: chargeCard(order-2) -> shipped',
  'order-3: new branch: fraudCheck(order-3) -> chargeCard(order-3) -> shipped',
];

// `npm run example:patching`: orders started before a patch keep their old steps, a new one takes the new.
describe('the patching example', function () {
  this.timeout(60_000);
  const server = useRedisServer();
  let running: TestProcess | undefined;

  afterEach(() => running?.killGroup());

  async function runExample(env: NodeJS.ProcessEnv): Promise<string[]> {
    running = startProcess('npm', ['run', '--silent', 'example:patching'], { REDIS_URL: '', ...env });
    const exit = await running.exited;
    assert.deepEqual(exit, { code: 0, signal: null } satisfies Exit, running.lines.join('\n'));
    return running.lines;
  }

  it('runs on MemoryBackend without REDIS_URL', async () => {
    const lines = await runExample({});
    assert.deepEqual(lines, ['patching demo on MemoryBackend (set REDIS_URL to use Redis)', ...EXPECTED]);
  });

  it('runs on Redis with REDIS_URL', async () => {
    const url = server().url;
    const lines = await runExample({ REDIS_URL: url, REDFLOW_PREFIX: `patching-${randomUUID()}` });
    assert.deepEqual(lines, [`patching demo on Redis at ${url}`, ...EXPECTED]);
  });
});
