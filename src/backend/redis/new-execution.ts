/** What creating an execution writes, wherever it is created: at start, for a child, by continue-as-new. */
export interface NewExecution {
  instanceId: string;
  executionId: string;
  name: string;
  queue: string;
  /** Creation time (ms), the listing's order. */
  createdAt: number;
  /** Encoded `WorkflowExecutionStarted` event. */
  started: Buffer;
}
