import { InvalidArgumentError } from '../../errors/errors.js';

// Every key but `configKey` and the worker keys carries its partition as a Redis Cluster hash tag, so one script
// only ever touches one slot; the worker keys share the tag `{workers}`. The prefix is validated to hold no
// braces, which would move the tag.

function base(prefix: string, partition: number): string {
  return `${prefix}:{${partition}}`;
}

// Keys name an instance by its id and an execution by `<instanceId>:<executionId>`. Redis keeps keys as UTF-8,
// which turns every lone surrogate into U+FFFD, and a ':' in an execution id would move the split: either would
// let two different ids share keys. Clients refuse such ids earlier; this holds for every other caller too.
function instancePart(instanceId: string): string {
  if (!instanceId.isWellFormed()) {
    throw new InvalidArgumentError(`instanceId ${JSON.stringify(instanceId)} is not well-formed UTF-16: it cannot name a Redis key exactly`);
  }
  return instanceId;
}

function executionPart(instanceId: string, executionId: string): string {
  if (!executionId.isWellFormed() || executionId.includes(':')) {
    throw new InvalidArgumentError(`executionId ${JSON.stringify(executionId)} cannot name a Redis key exactly: it must be well-formed UTF-16 without ":"`);
  }
  return `${instancePart(instanceId)}:${executionId}`;
}

/** Hash holding the settings every backend on this prefix must agree on (`partitions`). */
export function configKey(prefix: string): string {
  return `${prefix}:config`;
}

// Live workers are not tied to an instance: their keys share one hash tag of their own, so one script reads
// and prunes them together.
function workersBase(prefix: string): string {
  return `${prefix}:{workers}`;
}

/** Sorted set of announced workers: member the worker id, score its announcement's expiry (ms, Redis clock). */
export function workersKey(prefix: string): string {
  return `${workersBase(prefix)}:workers`;
}

/** Hash of announced workers: worker id -> JSON of its `WorkerInfo` (see `encodeWorkerInfo`). */
export function workerInfosKey(prefix: string): string {
  return `${workersBase(prefix)}:infos`;
}

/**
 * Sorted set of names workers claimed tasks for without having them registered: member JSON
 * `[kind, queue, name]`, score when last recorded (ms, Redis clock); pruned after `UNKNOWN_NAME_RETENTION_MS`.
 */
export function unknownNamesKey(prefix: string): string {
  return `${workersBase(prefix)}:unknown-names`;
}

/**
 * Sorted set of the backends that run background loops and share the partitions between them: member the
 * backend's name, score its membership's expiry (ms, Redis clock). Shares the `{workers}` hash tag with the
 * owners hash, so one script reads both.
 */
export function partitionMembersKey(prefix: string): string {
  return `${workersBase(prefix)}:partition-members`;
}

/** Hash of partition leases: partition -> `<lease expiry ms> <backend name>` of the backend that owns it. */
export function partitionOwnersKey(prefix: string): string {
  return `${workersBase(prefix)}:partition-owners`;
}

/** Hash of an instance id: its latest `executionId`, that execution's `state` and its `queue`. */
export function instanceKey(prefix: string, partition: number, instanceId: string): string {
  return `${base(prefix, partition)}:instance:${instancePart(instanceId)}`;
}

/** Hash of one execution: state, name, queue, timestamps, lock and queue flags, history length. */
export function executionKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:execution:${executionPart(instanceId, executionId)}`;
}

/** List of an execution's events not yet processed, oldest first: entries `<event type>\n<encoded event>`. */
export function inboxKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:inbox:${executionPart(instanceId, executionId)}`;
}

/** List of an execution's processed events; index i holds sequence id i + 1. */
export function historyKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:history:${executionPart(instanceId, executionId)}`;
}

/** Set of the timers zset members of an execution's pending timers, so they can go when it ends. */
export function executionTimersKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:execution-timers:${executionPart(instanceId, executionId)}`;
}

/** Stream of workflow tasks of one queue in one partition (entries `{ i, e }`), read by a consumer group. */
export function workflowTaskStreamKey(prefix: string, partition: number, queue: string): string {
  return `${base(prefix, partition)}:workflow-tasks:${queue}`;
}

/** Stream of activity tasks of one queue in one partition (entries `{ t }`), read by a consumer group. */
export function activityTaskStreamKey(prefix: string, partition: number, queue: string): string {
  return `${base(prefix, partition)}:activity-tasks:${queue}`;
}

/**
 * Sorted set of a partition's held executions (members `<iid>\n<eid>`), scored by the time their hold began
 * (ms), for `listHeldWorkflowInstances` and `getStats`.
 */
export function heldKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:held`;
}

/** Sorted set of a partition's pending timers, scored by due time (ms). */
export function timersKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:timers`;
}

/** Sorted set of a partition's executions, scored by creation time (ms); members `<iid>\n<eid>`. */
export function instancesKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:instances`;
}

/** Set of a partition's active executions (`<iid>\n<eid>`), counted by `getStats`. */
export function activeKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:active`;
}

/** Sorted set of a partition's ended executions (`<iid>\n<eid>`), scored by the time they ended (ms). */
export function finishedKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:finished`;
}

/**
 * Sorted set of a partition's ended executions whose keys expire (`retentionMs`), scored by expiry time
 * (ms): tells which index entries point at keys Redis has already dropped.
 */
export function expiringKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:expiring`;
}

/**
 * Sorted set of a partition's ended executions, all scored 0 and so ordered by member
 * `<iid>\n<eid>\n<chain>`: the continue-as-new chain each belongs to (named by its first execution id),
 * every ended execution of an instance id found by one lex range. Mirrors lua/lib/chain-index.lua.
 */
export function chainsKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:chains`;
}

/** Set of the queue names a partition's workflow-task streams were created for (for `getStats`). */
export function workflowQueuesKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:workflow-queues`;
}

/** Set of the queue names a partition's activity-task streams were created for (for `getStats`). */
export function activityQueuesKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:activity-queues`;
}

/**
 * Stream of messages a partition's workflow tasks send to executions (sub-workflow starts, signals,
 * cancellations, outcomes for parents, answers), delivered by the partition's relay; group `redflow`.
 */
export function outboxKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:outbox`;
}

/** Sorted set of the outbox messages delivered into a partition (message id -> delivery time, ms), for dedup. */
export function relayedKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:relayed`;
}

/** String naming the relay that reads a partition's outbox now; expires unless renewed. */
export function relayLeaseKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:relay-lease`;
}

/**
 * Hash of the partition's outbox entries whose delivery failed and that back off: entry id -> JSON
 * `{ attempts, nextAttemptAt }` (ms). Removed with the entry (delivered, or parked as a dead letter).
 */
export function outboxRetriesKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:outbox-retries`;
}

/**
 * Stream of the partition's dead-letter messages: outbox entries parked after their last delivery attempt
 * failed, each with its outbox fields and `dl:*` fields (its outbox id, error, attempts, time parked).
 */
export function deadLettersKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:dead-letters`;
}

/** Hash of a partition's activity heartbeat details, by activity-task entry id. */
export function heartbeatsKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:heartbeats`;
}

/** Pub/sub channel announcing `<iid>\n<eid>` when an execution of the partition stops being active. */
export function finishedChannel(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:finished`;
}

/** The keys of one execution and of its instance id. */
export interface ExecutionKeySet {
  instance: string;
  execution: string;
  inbox: string;
  history: string;
  executionTimers: string;
}

/** Every key of execution `executionId` of `instanceId`, which lives in `partition`. */
export function keysOfExecution(prefix: string, partition: number, instanceId: string, executionId: string): ExecutionKeySet {
  return {
    instance: instanceKey(prefix, partition, instanceId),
    execution: executionKey(prefix, partition, instanceId, executionId),
    inbox: inboxKey(prefix, partition, instanceId, executionId),
    history: historyKey(prefix, partition, instanceId, executionId),
    executionTimers: executionTimersKey(prefix, partition, instanceId, executionId),
  };
}

/** The indexes of one partition that creating, ending and removing executions maintain. */
export interface PartitionIndexKeys {
  timers: string;
  instances: string;
  active: string;
  finished: string;
  expiring: string;
  workflowQueues: string;
  chains: string;
  held: string;
}

/** The index keys of `partition`. */
export function indexKeysOf(prefix: string, partition: number): PartitionIndexKeys {
  return {
    timers: timersKey(prefix, partition),
    instances: instancesKey(prefix, partition),
    active: activeKey(prefix, partition),
    finished: finishedKey(prefix, partition),
    expiring: expiringKey(prefix, partition),
    workflowQueues: workflowQueuesKey(prefix, partition),
    chains: chainsKey(prefix, partition),
    held: heldKey(prefix, partition),
  };
}
