import { InvalidArgumentError, NonDeterminismError } from '../errors/errors.js';
import { newEvent, type EventOf, type HistoryEvent, type NewEvent } from '../history/events.js';

/**
 * The patches of one execution (`workflow.patched`, `workflow.deprecatePatch`): those its history records,
 * those the code has checked, and those still to record.
 *
 * Replaying, `patched` is true iff the history records the patch anywhere in the replayed part (scanned
 * before the replay starts), so code that checks a patch before the point where it was recorded still takes
 * the branch it took live. Live, `patched` is true and records the patch once. The first answer for a patch
 * id holds for the rest of the execution: code that checked it while replaying a history made before the
 * patch keeps the old branch when it checks again live, as it would on every later replay.
 *
 * A side effect's function runs live only, so a check inside it could never be found again on replay: it is
 * refused (see `whileSideEffectRuns`).
 */
export class Patches {
  /** Patches the replayed history records or the live code recorded. */
  private readonly recorded = new Set<string>();
  /** Patches the code checked with `patched` or `deprecatePatch`. */
  private readonly checked = new Set<string>();
  /** What `patched` answered for each patch id. */
  private readonly answers = new Map<string, boolean>();
  private readonly unrecorded: NewEvent[] = [];
  private sideEffectRunning = false;

  /** Notes the patches recorded in `history` before it is replayed. */
  scan(history: readonly HistoryEvent[]): void {
    for (const event of history) if (event.type === 'PatchRecorded') this.recorded.add(event.attributes.patchId);
  }

  /** `workflow.patched`: see the class comment. */
  patched(patchId: string, replaying: boolean): boolean {
    this.assertOutsideSideEffect('patched');
    this.checked.add(patchId);
    const known = this.answers.get(patchId);
    if (known !== undefined) return known;
    const answer = replaying ? this.recorded.has(patchId) : true;
    this.answers.set(patchId, answer);
    if (answer) this.record(patchId, replaying, undefined);
    return answer;
  }

  /**
   * `workflow.deprecatePatch`: live, records the patch as deprecated unless recorded; replaying, requires
   * nothing. Records nothing once `patched` answered false for it in this execution: a record would turn that
   * answer to true on the next replay.
   */
  deprecate(patchId: string, replaying: boolean): void {
    this.assertOutsideSideEffect('deprecatePatch');
    this.checked.add(patchId);
    if (this.answers.get(patchId) !== false) this.record(patchId, replaying, true);
  }

  /** Runs a side effect's function, during which checking a patch throws `InvalidArgumentError`. */
  whileSideEffectRuns<T>(run: () => T): T {
    this.sideEffectRunning = true;
    try {
      return run();
    } finally {
      this.sideEffectRunning = false;
    }
  }

  private assertOutsideSideEffect(call: string): void {
    if (this.sideEffectRunning) {
      throw new InvalidArgumentError(`workflow.${call} cannot run inside a sideEffect function, which replay does not run: check the patch outside it`);
    }
  }

  private record(patchId: string, replaying: boolean, deprecated: true | undefined): void {
    if (replaying || this.recorded.has(patchId)) return;
    this.recorded.add(patchId);
    this.unrecorded.push(newEvent('PatchRecorded', deprecated ? { patchId, deprecated } : { patchId }));
  }

  /** Passes `record` the `PatchRecorded` events the live code asked for since the last call, in the order it asked. */
  recordPending(record: (event: NewEvent) => void): void {
    // Runs after every applied event: most find nothing, and allocate nothing.
    if (this.unrecorded.length === 0) return;
    for (const event of this.unrecorded) record(event);
    this.unrecorded.length = 0;
  }

  /**
   * Checks a replayed `PatchRecorded` against the code: the code must have checked the patch by then, since
   * the event follows the code that checked it.
   * @throws NonDeterminismError naming the patch when the code has not checked it (code older than the history).
   */
  replayRecorded(event: EventOf<'PatchRecorded'>): void {
    const { patchId } = event.attributes;
    if (!this.checked.has(patchId)) {
      throw new NonDeterminismError(`history recorded patch ${patchId} (event ${event.sequenceId}), but the workflow code does not check it`);
    }
  }
}
