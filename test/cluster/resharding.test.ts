import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { timersKey } from '../../src/backend/redis/keys.js';
import { useRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { faultsOf, runOnCluster, type ClusterRunOptions } from './cluster-run.js';

// Slots holding partitions move to another master while workflows run, key by key, so that scripts meet
// MOVED, ASK and TRYAGAIN (a script whose keys are split between the two nodes) mid-run.
// Runs: see the header of failover.test.ts.
const WORKFLOWS = 40;

/** The slot of partition `partition`'s hash tag. */
async function slotOf(cluster: RedisCluster, partition: number): Promise<number> {
  const client = cluster.connect();
  try {
    return Number(await client.cluster('KEYSLOT', timersKey('any', partition)));
  } finally {
    client.disconnect();
  }
}

/** The MOVED, ASK and TRYAGAIN replies every node sent so far (Redis's `INFO errorstats`). */
async function redirections(cluster: RedisCluster): Promise<Record<'MOVED' | 'ASK' | 'TRYAGAIN', number>> {
  const counts = { MOVED: 0, ASK: 0, TRYAGAIN: 0 };
  for (const node of cluster.nodes) {
    const client = new Redis({ host: '127.0.0.1', port: node.port });
    try {
      const info = await client.info('errorstats');
      for (const code of ['MOVED', 'ASK', 'TRYAGAIN'] as const) counts[code] += Number(new RegExp(`errorstat_${code}:count=(\\d+)`).exec(info)?.[1] ?? 0);
    } finally {
      client.disconnect();
    }
  }
  return counts;
}

/** Moves the slots of partitions 0 and 1, one key at a time, each to the next master in port order. */
async function reshard(cluster: RedisCluster, progress: { unfinished(): number }, moves: Array<{ slot: number; keys: number }>): Promise<number> {
  let unfinished = 0;
  for (const partition of [0, 1]) {
    const slot = await slotOf(cluster, partition);
    const masters = (await cluster.roles()).filter((role) => role.role === 'master').map((role) => role.port).sort();
    const from = await cluster.masterOf(slot);
    const to = masters[(masters.indexOf(from) + 1) % masters.length] ?? from;
    unfinished = Math.max(unfinished, progress.unfinished());
    moves.push({ slot, keys: await cluster.moveSlot(slot, to, { batch: 1, pauseMs: 20 }) });
    assert.equal(await cluster.masterOf(slot), to);
    await cluster.waitUntilHealthy();
  }
  return unfinished;
}

describe('Redis Cluster resharding while workflows run (3 masters, 1 replica each)', function () {
  this.timeout(90_000);
  const cluster = useRedisCluster({ masters: 3, replicasPerMaster: 1 });

  for (const replicaAcks of [undefined, { replicas: 1, timeoutMs: 1000 }] as const) {
    const title = replicaAcks === undefined ? '' : ', replicaAcks on';
    it(`slots of two partitions move key by key: every workflow returns its result, every history whole${title}`, async () => {
      const moves: Array<{ slot: number; keys: number }> = [];
      let unfinished = 0;
      const options: ClusterRunOptions = {
        cluster: cluster(),
        workflows: WORKFLOWS,
        disruptAfter: 20,
        disrupt: async (progress) => void (unfinished = await reshard(cluster(), progress, moves)),
      };
      const before = await redirections(cluster());
      const run = await runOnCluster(replicaAcks === undefined ? options : Object.assign(options, { replicaAcks }));
      const after = await redirections(cluster());
      const met = { MOVED: after.MOVED - before.MOVED, ASK: after.ASK - before.ASK, TRYAGAIN: after.TRYAGAIN - before.TRYAGAIN };
      console.log(`      moved ${moves.map((m) => `slot ${m.slot} (${m.keys} keys)`).join(', ')}, replies ${JSON.stringify(met)}: ` +
        `${JSON.stringify(run.outcomes)}, ${run.findings.executions} executions checked`);
      assert.ok(met.MOVED > 0 && met.ASK + met.TRYAGAIN > 0, 'clients met the moving slots');
      assert.ok(unfinished > 0, 'workflows were running when the slots moved');
      assert.ok(moves.every((m) => m.keys > 0), 'each moved slot held keys');
      assert.deepEqual(faultsOf(run), []);
      assert.equal(run.outcomes.right, WORKFLOWS);
    });
  }
});
