/** A loop's wait between rounds that another caller can cut short (new work, or stopping). */
export class WakeableSleep {
  #wakeUp: (() => void) | undefined;
  #sleepUntil = Infinity;

  /** When the current sleep ends on its own (ms since the epoch); Infinity while awake. */
  get until(): number {
    return this.#sleepUntil;
  }

  /** Waits until `untilMs` (ms since the epoch) or until `wake()`, whichever comes first. */
  async sleepUntil(untilMs: number): Promise<void> {
    const wait = untilMs - Date.now();
    if (wait <= 0) return;
    this.#sleepUntil = untilMs;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = done;
    });
    this.#sleepUntil = Infinity;
    this.#wakeUp = undefined;
  }

  /** Ends the current sleep now, if there is one. */
  wake(): void {
    this.#wakeUp?.();
  }
}
