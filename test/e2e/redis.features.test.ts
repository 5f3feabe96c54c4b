import { redisBackendOn, redisPeerOf } from '../helpers/redis-backends.js';
import { useRedisServer } from '../helpers/redis-server.js';
import { cancellationScenarios } from './cancellation-scenarios.js';
import { carryOverScenarios } from './carry-over-scenarios.js';
import { continueAsNewScenarios } from './continue-as-new-scenarios.js';
import { e2eGroup, type SettingsBackendFactory } from './harness.js';
import { leaseScenarios } from './lease-scenarios.js';
import { chainRemovalScenarios } from './chain-removal-scenarios.js';
import { instanceByIdScenarios } from './instance-by-id-scenarios.js';
import { managementScenarios } from './management-scenarios.js';
import { payloadDepthScenarios } from './payload-depth-scenarios.js';
import { payloadScenarios } from './payload-scenarios.js';
import { selectScenarios } from './select-scenarios.js';
import { signalScenarios } from './signal-scenarios.js';
import { subWorkflowScenarios } from './sub-workflow-scenarios.js';
import { thrownValueScenarios } from './thrown-value-scenarios.js';
import { undecodableScenarios } from './undecodable-scenarios.js';
import { heldTaskScenarios } from './held-task-scenarios.js';
import { unstartedCancellationScenarios } from './unstarted-cancellation-scenarios.js';
import { activityTimeoutScenarios } from './activity-timeout-scenarios.js';
import { patchScenarios } from './patch-scenarios.js';
import { presenceScenarios } from './presence-scenarios.js';
import { deploySafetyScenarios } from './deploy-safety-scenarios.js';

const groups = [
  ['signals', signalScenarios],
  ['sub-workflows', subWorkflowScenarios],
  ['cancellation', cancellationScenarios],
  ['continue-as-new', continueAsNewScenarios],
  ['continue-as-new carry-over', carryOverScenarios],
  ['select and channels', selectScenarios],
  ['queues and instance management', managementScenarios],
  ['thrown values', thrownValueScenarios],
  ['leases', leaseScenarios],
  ['removal of continued-as-new chains', chainRemovalScenarios],
  ['instances by id', instanceByIdScenarios],
  ['payloads', payloadScenarios],
  ['payload depth', payloadDepthScenarios],
  ['undecodable data', undecodableScenarios],
  ['held workflow tasks', heldTaskScenarios],
  ['cancelling work that has not started', unstartedCancellationScenarios],
  ['activity timeouts', activityTimeoutScenarios],
  ['patching', patchScenarios],
  ['worker presence', presenceScenarios],
  ['deploy safety', deploySafetyScenarios],
] as const;

describe('workflow features on RedisBackend (private redis-server)', () => {
  const server = useRedisServer();
  for (const partitions of [1, 4]) {
    const redis: SettingsBackendFactory = (settings) => Promise.resolve(redisBackendOn(server(), { partitions, ...settings }));
    const name = partitions === 1 ? 'RedisBackend' : `RedisBackend with ${partitions} partitions`;
    for (const [title, scenarios] of groups) e2eGroup(title, name, redis, scenarios, redisPeerOf);
  }
});
