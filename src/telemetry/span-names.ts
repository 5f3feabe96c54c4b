/** Names of the spans redflow records (docs/telemetry.md describes each). */
export const SpanNames = Object.freeze({
  /** A client starting a workflow (kind producer). */
  workflowStart: 'redflow.workflow.start',
  /** A worker running one workflow task: replay, the workflow code, the commit. */
  workflowTask: 'redflow.workflow.task',
  /** A worker running one activity attempt (kind consumer). */
  activity: 'redflow.activity',
});

/** Names of the events redflow adds to its workflow task spans. */
export const SpanEventNames = Object.freeze({
  timerScheduled: 'redflow.timer.scheduled',
  timerFired: 'redflow.timer.fired',
  signalReceived: 'redflow.signal.received',
  signalSent: 'redflow.signal.sent',
  activityScheduled: 'redflow.activity.scheduled',
  childScheduled: 'redflow.child.scheduled',
  workflowEnded: 'redflow.workflow.ended',
});

/** Attribute keys of redflow's spans and span events. */
export const SpanAttributes = Object.freeze({
  workflowName: 'redflow.workflow.name',
  instanceId: 'redflow.workflow.instance_id',
  executionId: 'redflow.workflow.execution_id',
  queue: 'redflow.queue',
  executorSource: 'redflow.executor.source',
  replayedEvents: 'redflow.executor.replayed_events',
  historyLength: 'redflow.history.length',
  newEvents: 'redflow.task.new_events',
  workflowOutcome: 'redflow.workflow.outcome',
  activityName: 'redflow.activity.name',
  attempt: 'redflow.activity.attempt',
  redeliveries: 'redflow.activity.redeliveries',
  scheduleEventId: 'redflow.schedule_event_id',
  activityOutcome: 'redflow.activity.outcome',
  timerName: 'redflow.timer.name',
  timerFiresAt: 'redflow.timer.fires_at',
  timerLatenessMs: 'redflow.timer.lateness_ms',
  signalName: 'redflow.signal.name',
  childInstanceId: 'redflow.child.instance_id',
  errorType: 'error.type',
});
