// Every key but `configKey` carries its partition as a Redis Cluster hash tag, so one script only ever
// touches one slot. The prefix is validated to hold no braces, which would move the tag.

function base(prefix: string, partition: number): string {
  return `${prefix}:{${partition}}`;
}

/** Hash holding the settings every backend on this prefix must agree on (`partitions`). */
export function configKey(prefix: string): string {
  return `${prefix}:config`;
}

/** Hash of an instance id: its latest `executionId` and that execution's `state`. */
export function instanceKey(prefix: string, partition: number, instanceId: string): string {
  return `${base(prefix, partition)}:instance:${instanceId}`;
}

/** Hash of one execution: state, name, queue, timestamps, lock and queue flags, history length. */
export function executionKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:execution:${instanceId}:${executionId}`;
}

/** Stream of an execution's events not yet processed (field `e` = encoded event). */
export function inboxKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:inbox:${instanceId}:${executionId}`;
}

/** List of an execution's processed events; index i holds sequence id i + 1. */
export function historyKey(prefix: string, partition: number, instanceId: string, executionId: string): string {
  return `${base(prefix, partition)}:history:${instanceId}:${executionId}`;
}

/** Stream of workflow tasks of one queue in one partition (entries `{ i, e }`), read by a consumer group. */
export function workflowTaskStreamKey(prefix: string, partition: number, queue: string): string {
  return `${base(prefix, partition)}:workflow-tasks:${queue}`;
}

/** Stream of activity tasks of one queue in one partition (entries `{ t }`), read by a consumer group. */
export function activityTaskStreamKey(prefix: string, partition: number, queue: string): string {
  return `${base(prefix, partition)}:activity-tasks:${queue}`;
}

/** Sorted set of a partition's pending timers, scored by due time (ms). */
export function timersKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:timers`;
}

/** Sorted set of a partition's executions, scored by creation time (ms); members `<iid>\n<eid>`. */
export function instancesKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:instances`;
}

/** Hash of a partition's activity heartbeat details, by activity-task entry id. */
export function heartbeatsKey(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:heartbeats`;
}

/** Pub/sub channel announcing `<iid>\n<eid>` when an execution of the partition stops being active. */
export function finishedChannel(prefix: string, partition: number): string {
  return `${base(prefix, partition)}:finished`;
}
