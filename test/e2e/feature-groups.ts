import { cancellationScenarios } from './cancellation-scenarios.js';
import { carryOverScenarios } from './carry-over-scenarios.js';
import { continueAsNewScenarios } from './continue-as-new-scenarios.js';
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
import { describeScenarios } from './describe-scenarios.js';

/** The feature scenario groups every Redis setup runs, with their titles. */
export const featureGroups = [
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
  ['describing an instance', describeScenarios],
] as const;
