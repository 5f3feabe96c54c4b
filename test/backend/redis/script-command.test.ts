import assert from 'node:assert/strict';
import { Command, Redis } from 'ioredis';
import { respCommand } from '../../../src/backend/redis/script-command.js';
import { ScriptRunner } from '../../../src/backend/redis/script-runner.js';
import { useRedisServer } from '../../helpers/redis-server.js';

async function commandCalls(redis: Redis, name: string): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

describe('Script commands', () => {
  it('are written byte for byte as ioredis writes the same command', () => {
    const args = ['sha', '2', 'key:{0}:é', '', Buffer.from([0, 13, 10, 255]), Buffer.alloc(0), 'x'.repeat(300), '💡'];
    const ours = respCommand('evalsha', args);
    const theirs = new Command('evalsha', args).toWritable({});
    assert.ok(Buffer.isBuffer(theirs));
    assert.deepEqual(ours, theirs);
    assert.deepEqual(respCommand('eval', []), Buffer.from('*1\r\n$4\r\neval\r\n'));
  });

  describe('on a real Redis', () => {
    const server = useRedisServer();

    /** Runs `test` with an admin connection and the client under test, both closed afterwards. */
    async function withClients(test: (admin: Redis, client: Redis) => Promise<void>): Promise<void> {
      const admin = new Redis(server().url);
      const client = new Redis(server().url);
      try {
        await test(admin, client);
      } finally {
        client.disconnect();
        admin.disconnect();
      }
    }

    it('send the source once per connection, then EVALSHA; after SCRIPT FLUSH, the source again', async () => {
      await withClients(async (admin, client) => {
        await admin.config('RESETSTAT');
        const runner = new ScriptRunner(client);
        // read-presence reads two zsets and a hash; on empty keys it answers without writing.
        const keys = ['t:{workers}:workers', 't:{workers}:infos', 't:{workers}:names'];
        for (let i = 0; i < 3; i++) await runner.run('read-presence', keys, [0, 0]);
        assert.equal(await commandCalls(admin, 'eval'), 1);
        assert.equal(await commandCalls(admin, 'evalsha'), 2);

        await admin.script('FLUSH');
        await runner.run('read-presence', keys, [0, 0]);
        // The EVALSHA that met NOSCRIPT, then the source.
        assert.equal(await commandCalls(admin, 'evalsha'), 3);
        assert.equal(await commandCalls(admin, 'eval'), 2);
        await runner.run('read-presence', keys, [0, 0], true);
        assert.equal(await commandCalls(admin, 'evalsha'), 4);
      });
    });

    it('in a pipeline are queued there; after SCRIPT FLUSH the pipeline holds NOSCRIPT, and the next one sends the source', async () => {
      await withClients(async (admin, client) => {
        const runner = new ScriptRunner(client);
        const keys = ['t:{workers}:workers', 't:{workers}:infos', 't:{workers}:names'];
        await runner.run('read-presence', keys, [0, 0]);
        await admin.script('FLUSH');
        const name = Object.keys(client).find((key) => key.startsWith('redflow:read-presence:') && !key.endsWith('Buffer'));
        assert.ok(name !== undefined);
        const queueIn = (pipeline: ReturnType<Redis['pipeline']>): void => {
          const queue = (pipeline as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
          assert.ok(queue !== undefined);
          queue.call(pipeline, keys.length, ...keys, 0, 0);
          pipeline.call('PING');
        };
        const first = client.pipeline();
        queueIn(first);
        const [script, ping] = (await first.exec()) ?? [];
        // Not sent again on its own: it would run after the PING (replica-acks.ts sends the pipeline again).
        assert.match(String(script?.[0]), /NOSCRIPT/);
        assert.deepEqual(ping, [null, 'PONG']);
        const second = client.pipeline();
        queueIn(second);
        assert.deepEqual(await second.exec(), [
          [null, [[], []]],
          [null, 'PONG'],
        ]);
      });
    });

    it('give bulk replies as strings, or as Buffers when asked', async () => {
      const client = new Redis(server().url);
      try {
        const runner = new ScriptRunner(client);
        const sent: Command[] = [];
        const send = client.sendCommand.bind(client);
        client.sendCommand = (command: Command, ...rest: unknown[]) => {
          sent.push(command);
          return send(command, ...(rest as []));
        };
        // ensure-config answers the config record's fields: partitions, epoch, layout.
        const text = (await runner.run('ensure-config', ['t:config'], [4, 'abc', 2])) as unknown[];
        const binary = (await runner.run('ensure-config', ['t:config'], [4, 'abc', 2], true)) as unknown[];
        assert.deepEqual(text.slice(0, 2), ['4', 'abc']);
        assert.ok(binary.slice(0, 2).every((field) => Buffer.isBuffer(field)));
        assert.deepEqual((binary as Buffer[]).slice(0, 2).map(String), ['4', 'abc']);
        // Written by redflow's own command, in one buffer. (The connection's own commands, such as its ready
        // check, go through sendCommand too, and so does a command sent again from the offline queue.)
        const scripts = new Set(sent.filter((command) => command.name === 'evalsha' || command.name === 'eval'));
        assert.equal(scripts.size, 2);
        for (const command of scripts) assert.ok(Buffer.isBuffer(command.toWritable({})));
      } finally {
        client.disconnect();
      }
    });

    it('keep the order of an auto-pipelining client: ioredis queues its scripts with its other commands', async () => {
      const client = new Redis(server().url, { enableAutoPipelining: true });
      try {
        const runner = new ScriptRunner(client);
        const keys = ['t:{order}:workers', 't:{order}:infos', 't:{order}:names'];
        // Not awaited: sent in the next auto-pipeline flush, which the script must not overtake.
        void client.hset(keys[1] as string, 'w1', 'info-1');
        void client.zadd(keys[0] as string, Date.now() + 60_000, 'w1');
        const [infos] = (await runner.run('read-presence', keys, [0, 0])) as [string[]];
        assert.deepEqual(infos, ['info-1']);
      } finally {
        client.disconnect();
      }
    });

    it('reject with the script error as Redis sent it, without sending it again', async () => {
      await withClients(async (admin, client) => {
        const runner = new ScriptRunner(client);
        await admin.set('t:plain', 'x');
        await admin.config('RESETSTAT');
        // read-presence on a string key: Redis refuses the script's first command on it.
        await assert.rejects(runner.run('read-presence', ['t:plain', 't:plain', 't:plain'], [0, 0]), /WRONGTYPE/);
        assert.equal(await commandCalls(admin, 'eval') + (await commandCalls(admin, 'evalsha')), 1);
      });
    });
  });
});
