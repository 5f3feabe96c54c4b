/**
 * A trace context as text fields (for W3C Trace Context: `traceparent`, and `tracestate` when set), written by a
 * propagator's `inject` and read by its `extract`. The engine stores it without reading it: in the attributes of
 * `WorkflowExecutionStarted` (the context of whoever started the execution) and `ActivityScheduled` (the context of
 * the workflow task that scheduled the attempt), and in the activity task itself, so the spans of a workflow, its
 * activities and its children join one trace across processes.
 */
export type TraceCarrier = Record<string, string>;
