export {
  workflow,
  DefaultActivityOptions,
  DefaultRetryOptions,
  DefaultSubWorkflowRetryOptions,
  Future,
  Channel,
  ContinueAsNewRequest,
} from './workflow/index.js';
export type {
  ActivityOptions,
  ActivityFunction,
  ReceiveResult,
  RetryOptions,
  SelectCase,
  SubWorkflowOptions,
  TimerOptions,
  WorkflowContext,
} from './workflow/index.js';
export { activityContext, type ActivityContext } from './activity/activity-context.js';
export {
  RedflowError,
  WorkflowError,
  CanceledError,
  NonDeterminismError,
  InstanceAlreadyExistsError,
  InstanceNotFoundError,
  InstanceNotFinishedError,
  WaitTimeoutError,
  ChannelClosedError,
  InvalidArgumentError,
  BackendClosedError,
  BackendUnavailableError,
  LeaseLostError,
  UndecodableDataError,
  UnsettledWorkflowError,
  UnknownWorkflowError,
  ActivityTimeoutError,
  DeadLetterNotFoundError,
  permanentError,
  isCanceled,
  type ErrorCode,
  type FailureInfo,
  type ActivityTimeoutType,
  type ActivityTimeoutDetails,
} from './errors/errors.js';
export { Client, type ClientOptions, type ListDeadLetterMessagesOptions, type ListFilteredWorkflowInstancesOptions, type ListWorkflowInstancesOptions, type WorkflowInstanceOptions, type WorkflowArgs, type WorkflowResult } from './client/client.js';
export {
  MAX_CHILD_STATES,
  type ChildWorkflowInfo,
  type ExecutionOutcomeKind,
  type WorkflowInstanceDescription,
} from './client/instance-description.js';
export type { PendingWork } from './history/pending-work.js';
export { Worker } from './worker/worker.js';
export { DefaultWorkerOptions, MAX_VERSION_LENGTH, type NonDeterminismPolicy, type WorkerOptions } from './worker/worker-options.js';
export { DefaultHeldTaskRetry, type HeldTaskRetryOptions } from './worker/held-task-retry.js';
export type { RegistrationOptions } from './worker/registry.js';
export type { WorkflowFunction } from './executor/workflow-function.js';
export { createLogger, DEFAULT_LOG_LEVEL, type LoggerOptions } from './core/logger.js';
// Types only: the implementations, which need @opentelemetry/api or prom-client, are in `redflow/telemetry`.
export type { Instrumentation } from './core/instrumentation.js';
export type { TraceCarrier } from './core/trace-carrier.js';
export { DEFAULT_QUEUE, type WorkflowInstance, type WorkflowInstanceRef, type WorkflowInstanceState } from './core/instance.js';
export type { HistoryEvent, EventType, NewEvent, ParentLink } from './history/events.js';
export { replayHistory, type RecordedHistory, type ReplayOptions } from './testing/replay-history.js';
export type {
  Backend,
  BackendStats,
  DeadLetterMessage,
  DeadLetterPage,
  HeldWorkflowInstanceInfo,
  HeldWorkflowInstancePage,
  HoldReason,
  HeldTaskRetryPolicy,
  OperatorCalls,
  TaskKind,
  UnknownName,
  UnservedName,
  UnservedQueue,
  WorkerInfo,
  WorkerPresenceCalls,
  WorkflowInstanceDetails,
  WorkflowInstanceFilter,
  WorkflowTaskHoldInfo,
  WorkflowInstanceInfo,
  WorkflowInstancePage,
} from './backend/backend.js';
export { UNKNOWN_NAME_RETENTION_MS } from './backend/worker-info.js';
export { MemoryBackend, type MemoryBackendOptions } from './backend/memory/memory-backend.js';
export { RedisBackend, type RedisBackendOptions } from './backend/redis/redis-backend.js';
export type { OutboxRetryOptions } from './backend/redis/outbox-retry-policy.js';
export type { ReplicaAcks } from './backend/redis/options.js';
