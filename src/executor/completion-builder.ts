import type { WorkflowTaskCompletion } from '../backend/backend.js';
import type { HistoryEvent, NewEvent } from '../history/events.js';

/** Collects what one workflow task commits: its events, numbered on, and the requests that go with them. */
export class CompletionBuilder {
  readonly completion: WorkflowTaskCompletion = {
    events: [],
    activities: [],
    timers: [],
    canceledTimers: [],
    canceledActivities: [],
    subWorkflows: [],
    signals: [],
    cancellations: [],
    state: 'active',
  };
  private sequenceId: number;

  /** Starts numbering after `historyLength` events. */
  constructor(historyLength: number) {
    this.sequenceId = historyLength;
  }

  /** Number of events in the history once this task commits. */
  get historyLength(): number {
    return this.sequenceId;
  }

  /** Appends `event` with the next sequence id. */
  record(event: NewEvent): HistoryEvent {
    const numbered = Object.assign({}, event, { sequenceId: ++this.sequenceId });
    this.completion.events.push(numbered);
    return numbered;
  }
}
