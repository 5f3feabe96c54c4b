import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-cluster.js';

async function roleOf(port: number): Promise<string> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const [role] = (await client.call('ROLE')) as [string];
    return role;
  } finally {
    client.disconnect();
  }
}

// The cluster other tests run on: formed from private nodes, a replica takes over a killed master, and the old
// master rejoins on restart. Keys spread over every slot stay readable throughout.
describe('test helper: private Redis Cluster', function () {
  this.timeout(60_000);
  let cluster: RedisCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('forms three masters with a replica each; a replica takes over a killed master, which rejoins as a replica', async () => {
    cluster = await startRedisCluster({ replicasPerMaster: 1 });
    assert.equal(cluster.nodes.length, 6);
    assert.deepEqual((await Promise.all(cluster.nodes.map((node) => roleOf(node.port)))).sort(), ['master', 'master', 'master', 'slave', 'slave', 'slave']);
    const client = cluster.connect();
    try {
      const keys = Array.from({ length: 64 }, (_, i) => `{p${i}}:k`);
      for (const key of keys) await client.set(key, key);
      const master = cluster.nodes[0];
      assert.ok(master !== undefined);
      assert.equal(await roleOf(master.port), 'master');
      // Replication is asynchronous: only what a replica acknowledged survives the master's death.
      const direct = new Redis({ host: '127.0.0.1', port: master.port });
      try {
        assert.equal(await direct.call('WAIT', '1', '5000'), 1);
      } finally {
        direct.disconnect();
      }
      await master.kill();
      await cluster.waitUntilHealthy();
      const values = [];
      for (const key of keys) values.push(await client.get(key));
      assert.deepEqual(values, keys);
      await master.restart();
      await cluster.waitUntilHealthy();
      assert.equal(await roleOf(master.port), 'slave');
    } finally {
      client.disconnect();
    }
  });

  it('tears every node down on stop', async () => {
    cluster = await startRedisCluster({ masters: 3 });
    const ports = cluster.nodes.map((node) => node.port);
    await cluster.stop();
    cluster = undefined;
    const pings = await Promise.all(ports.map(async (port) => {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return 'answered';
      } catch {
        return 'gone';
      } finally {
        client.disconnect();
      }
    }));
    assert.deepEqual(pings, ['gone', 'gone', 'gone']);
  });
});
