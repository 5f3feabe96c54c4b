import type { CheckOutcome } from './replay-check.js';
import type { HistoryItem } from './history-sources.js';
import type { Output } from './output.js';

/** A progress line goes to standard error after every this many histories. */
export const PROGRESS_EVERY = 100;

/**
 * Counts the outcomes of `redflow replay` and writes them: a line on standard output for every history that
 * diverged, names a workflow the module does not export, or could not be read; a progress line on standard
 * error every `PROGRESS_EVERY` histories; the summary at the end.
 */
export class ReplayReport {
  readonly counts: Record<CheckOutcome['kind'], number> = {
    replayed: 0,
    diverged: 0,
    'unknown-workflow': 0,
    unreadable: 0,
    'not-started': 0,
  };
  private checked = 0;
  private readonly output: Output;
  private readonly total: number | undefined;

  constructor(output: Output, total: number | undefined) {
    this.output = output;
    this.total = total;
  }

  record(item: HistoryItem, outcome: CheckOutcome): void {
    this.checked += 1;
    this.counts[outcome.kind] += 1;
    const line = problemLine(item, outcome);
    if (line !== undefined) this.output.out(line);
    if (this.checked % PROGRESS_EVERY === 0) this.output.err(`${this.progress()} ...`);
  }

  /** True when the check failed: a history diverged or could not be read, or, unless allowed, named a workflow the module lacks. */
  failed(allowUnknown: boolean): boolean {
    const { diverged, unreadable } = this.counts;
    return diverged + unreadable > 0 || (!allowUnknown && this.counts['unknown-workflow'] > 0);
  }

  /** `Checked 50 histories: 48 replayed, 1 diverged, 1 with an unknown workflow, 0 unreadable, 0 not started yet` */
  summary(): string {
    const c = this.counts;
    return (
      `Checked ${this.checked} ${this.checked === 1 ? 'history' : 'histories'}: ${c.replayed} replayed, ${c.diverged} diverged, ` +
      `${c['unknown-workflow']} with an unknown workflow, ${c.unreadable} unreadable, ${c['not-started']} not started yet`
    );
  }

  private progress(): string {
    const of = this.total === undefined ? '' : ` of ${this.total}`;
    return `checked ${this.checked}${of} histories (${this.counts.diverged} diverged)`;
  }
}

function problemLine(item: HistoryItem, outcome: CheckOutcome): string | undefined {
  switch (outcome.kind) {
    case 'diverged':
      return `DIVERGED ${item.label}, workflow ${outcome.workflowName}: ${outcome.message}`;
    case 'unknown-workflow':
      return `UNKNOWN  ${item.label}: the module exports no workflow named ${outcome.workflowName}`;
    case 'unreadable':
      return `ERROR    ${item.label}: ${outcome.message}`;
    default:
      return undefined;
  }
}
