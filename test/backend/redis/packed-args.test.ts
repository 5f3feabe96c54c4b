import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { packScriptArgs } from '../../../src/backend/redis/packed-args.js';
import { useRedisServer } from '../../helpers/redis-server.js';

// Lua reads the packed arguments with Redis's own cmsgpack: each length class of the msgpack headers this
// writes must come back as exactly the bytes that went in.
describe('packScriptArgs (read back by cmsgpack in Redis)', () => {
  const server = useRedisServer();
  let redis: Redis;
  before(() => {
    redis = new Redis(server().url);
  });
  after(async () => {
    await redis.quit();
  });

  const UNPACK = 'local t = cmsgpack.unpack(ARGV[1]); return t';
  const unpacked = async (args: Array<string | Buffer | number>): Promise<Buffer[]> =>
    (await redis.callBuffer('EVAL', UNPACK, 0, packScriptArgs(args))) as Buffer[];

  it('keeps strings, numbers and bytes of every length class exactly', async () => {
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 151 + 7) % 256));
    const items: Array<string | Buffer | number> = [
      '', 'a', 'é✓ multi-byte', 'x'.repeat(31), 'y'.repeat(32), 'z'.repeat(255), 'w'.repeat(256), 'v'.repeat(65_535), 'u'.repeat(65_536),
      Buffer.alloc(0), bytes(31), bytes(32), bytes(255), bytes(256), bytes(70_000), Buffer.from([0, 0xff, 0xc4, 0x0a]),
      0, 42, -7, 1796014121584,
    ];
    const back = await unpacked(items);
    assert.equal(back.length, items.length);
    items.forEach((item, i) => {
      const expected = typeof item === 'number' ? Buffer.from(String(item)) : Buffer.from(item);
      assert.ok(back[i]?.equals(expected), `item ${i} (${typeof item}, ${expected.length} bytes) came back different`);
    });
  });

  it('keeps arrays of every length class', async () => {
    for (const count of [0, 15, 16, 65_535, 65_536]) {
      const items = Array.from({ length: count }, (_, i) => `a${i}`);
      const back = await unpacked(items);
      assert.equal(back.length, count, `${count} items`);
      if (count > 0) assert.equal(back[count - 1]?.toString(), `a${count - 1}`);
    }
  });
});
