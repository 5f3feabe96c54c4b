import { MemoryBackend } from '../../src/backend/memory/memory-backend.js';
import { e2eGroup, type SettingsBackendFactory } from './harness.js';
import { signalScenarios } from './signal-scenarios.js';
import { subWorkflowScenarios } from './sub-workflow-scenarios.js';
import { cancellationScenarios } from './cancellation-scenarios.js';
import { managementScenarios } from './management-scenarios.js';
import { continueAsNewScenarios } from './continue-as-new-scenarios.js';
import { selectScenarios } from './select-scenarios.js';
import { unstartedCancellationScenarios } from './unstarted-cancellation-scenarios.js';

const memory: SettingsBackendFactory = (settings) => Promise.resolve(new MemoryBackend(settings));

e2eGroup('signals', 'MemoryBackend', memory, signalScenarios);
e2eGroup('sub-workflows', 'MemoryBackend', memory, subWorkflowScenarios);
e2eGroup('cancellation', 'MemoryBackend', memory, cancellationScenarios);
e2eGroup('continue-as-new', 'MemoryBackend', memory, continueAsNewScenarios);
e2eGroup('select and channels', 'MemoryBackend', memory, selectScenarios);
e2eGroup('queues and instance management', 'MemoryBackend', memory, managementScenarios);
e2eGroup('cancelling work that has not started', 'MemoryBackend', memory, unstartedCancellationScenarios);
