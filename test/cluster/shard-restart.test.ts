import assert from 'node:assert/strict';
import { timersKey } from '../../src/backend/redis/keys.js';
import { useRedisCluster } from '../helpers/redis-cluster.js';
import { faultsOf, runOnCluster } from './cluster-run.js';

// A master without a replica, with appendfsync always, killed (SIGKILL) and restarted while workflows run:
// the cluster refuses every command (CLUSTERDOWN) while it is down, workers and clients retry, and the node
// comes back with every write it acknowledged. Runs: see the header of failover.test.ts.
const WORKFLOWS = 40;

describe('Redis Cluster master without replica restarted while workflows run (3 masters, appendfsync always)', function () {
  this.timeout(90_000);
  const cluster = useRedisCluster({ masters: 3, aof: 'always', nodeTimeoutMs: 1000 });

  it('every workflow returns its result, every history whole', async () => {
    let unfinishedAtKill = 0;
    const run = await runOnCluster({
      cluster: cluster(),
      workflows: WORKFLOWS,
      disruptAfter: 25,
      disrupt: async (progress) => {
        const client = cluster().connect();
        const slot = Number(await client.cluster('KEYSLOT', timersKey('any', 0)));
        client.disconnect();
        const master = await cluster().masterOf(slot);
        const node = cluster().nodes.find((each) => each.port === master);
        assert.ok(node !== undefined);
        unfinishedAtKill = progress.unfinished();
        await node.kill();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await node.restart();
        await cluster().waitUntilHealthy();
      },
    });
    console.log(`      master restarted: ${JSON.stringify(run.outcomes)}, ${run.findings.executions} executions checked, ${run.retriedCreations} creations retried`);
    assert.ok(unfinishedAtKill > 0, 'workflows were running when the master was killed');
    assert.deepEqual(faultsOf(run), []);
    assert.equal(run.outcomes.right, WORKFLOWS);
  });
});
