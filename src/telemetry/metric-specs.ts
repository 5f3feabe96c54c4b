/** How a metric is recorded: a monotonic count, a distribution of values, or a value read when collected. */
export type MetricKind = 'counter' | 'histogram' | 'gauge';

/**
 * One metric redflow reports: its OpenTelemetry name (dotted), its Prometheus name (`prometheusName`), its unit
 * (UCUM, as OpenTelemetry wants it: `s` for seconds, `{workflow}` for a count of workflows) and the attribute
 * keys it carries (Prometheus label names, with dots as underscores).
 */
export interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly string[];
}

/** Bucket bounds (seconds) of every duration histogram: from 1 ms to 5 minutes. */
export const DURATION_BUCKETS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

function spec(name: string, kind: MetricKind, unit: string, attributes: readonly string[], description: string): MetricSpec {
  return Object.freeze({ name, kind, unit, attributes: Object.freeze([...attributes]), description });
}

/** Every metric redflow reports (docs/telemetry.md describes each). */
export const Metrics = Object.freeze({
  workflowsStarted: spec(
    'redflow.workflow.started',
    'counter',
    '{workflow}',
    ['workflow', 'queue', 'origin'],
    'Workflow executions started: by a client (origin client), by a parent workflow (parent) or by continue-as-new (continue-as-new)',
  ),
  workflowsEnded: spec(
    'redflow.workflow.ended',
    'counter',
    '{workflow}',
    ['workflow', 'queue', 'outcome'],
    'Workflow executions ended, by outcome: completed, failed, canceled, continued-as-new',
  ),
  workflowTaskQueueWait: spec(
    'redflow.workflow_task.queue_wait',
    'histogram',
    's',
    ['workflow', 'queue'],
    'Time from the first event that woke a workflow task (a start, an activity result, a fired timer, a signal) to a worker starting it',
  ),
  workflowTaskDuration: spec(
    'redflow.workflow_task.duration',
    'histogram',
    's',
    ['workflow', 'queue', 'outcome'],
    'Time a worker spent on a workflow task, replay and commit included; outcome committed or failed',
  ),
  executorCacheHits: spec(
    'redflow.executor.cache_hits',
    'counter',
    '{task}',
    ['workflow', 'queue'],
    'Workflow tasks run on a live executor from the worker cache: nothing replayed',
  ),
  executorFullReplays: spec(
    'redflow.executor.full_replays',
    'counter',
    '{task}',
    ['workflow', 'queue'],
    'Workflow tasks that replayed the whole history first (a cache miss: another worker ran the previous task, or the cache evicted it)',
  ),
  activityQueueWait: spec(
    'redflow.activity.queue_wait',
    'histogram',
    's',
    ['activity', 'queue'],
    'Time from an activity attempt being queued (its workflow task committing) to a worker starting it',
  ),
  activityDuration: spec(
    'redflow.activity.duration',
    'histogram',
    's',
    ['activity', 'queue', 'outcome'],
    'Time an activity attempt ran until its outcome was delivered; outcome completed, failed or released (worker stopping)',
  ),
  activityFailures: spec(
    'redflow.activity.failures',
    'counter',
    '{attempt}',
    ['activity', 'queue', 'error.type'],
    'Activity attempts that failed (threw or timed out), by error type',
  ),
  activityRetries: spec(
    'redflow.activity.retries',
    'counter',
    '{attempt}',
    ['activity', 'queue'],
    'Activity attempts started that retry an earlier one (attempt 2 and later)',
  ),
  timerLateness: spec(
    'redflow.timer.lateness',
    'histogram',
    's',
    ['workflow', 'queue'],
    'Time from a durable timer being due to the workflow code resuming from it',
  ),
  signalsReceived: spec('redflow.signal.received', 'counter', '{signal}', ['workflow', 'queue'], 'Signals applied to workflow executions'),
  leasesLost: spec(
    'redflow.lease.lost',
    'counter',
    '{task}',
    ['kind', 'queue'],
    'Tasks whose lease this worker lost to another worker (kind workflow or activity): the work was done twice or dropped',
  ),
  instancesActive: spec('redflow.instances.active', 'gauge', '{workflow}', [], 'Workflow executions in state active, from getStats()'),
  instancesHeld: spec(
    'redflow.instances.held',
    'gauge',
    '{workflow}',
    [],
    'Workflow executions whose task is held (backing off or parked), from getStats()',
  ),
  queueBacklog: spec(
    'redflow.queue.backlog',
    'gauge',
    '{task}',
    ['queue', 'kind'],
    'Tasks queued or running per queue and kind (workflow or activity), from getStats()',
  ),
});

/** A metric's name in Prometheus: underscores for dots, `_total` after a counter's, `_seconds` after one in seconds. */
export function prometheusName(metric: MetricSpec): string {
  const base = metric.name.replace(/\./g, '_');
  if (metric.kind === 'counter') return `${base}_total`;
  return metric.unit === 's' ? `${base}_seconds` : base;
}

/** An attribute key as a Prometheus label name. */
export function prometheusLabel(attribute: string): string {
  return attribute.replace(/\./g, '_');
}
