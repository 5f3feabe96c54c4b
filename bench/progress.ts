const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

/** A one-line progress bar on stderr; silent unless stderr is a terminal. */
export class Progress {
  readonly #label: string;
  readonly #total: number;
  readonly #enabled: boolean;
  readonly #startedMs = Date.now();
  #done = 0;
  #drawnMs = 0;

  constructor(label: string, total: number, enabled = process.stderr.isTTY === true) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#enabled = enabled;
  }

  /** Counts `n` more finished items. */
  tick(n = 1): void {
    this.#done += n;
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#drawnMs < REDRAW_INTERVAL_MS && this.#done < this.#total) return;
    this.#drawnMs = now;
    this.#draw(now);
  }

  /** Clears the line. */
  finish(): void {
    if (this.#enabled) process.stderr.write('\r\x1b[2K');
  }

  #draw(nowMs: number): void {
    const share = Math.min(1, this.#done / this.#total);
    const filled = Math.round(share * BAR_WIDTH);
    const seconds = ((nowMs - this.#startedMs) / 1000).toFixed(1);
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
    process.stderr.write(`\r\x1b[2K${this.#label} [${bar}] ${this.#done}/${this.#total} ${seconds}s`);
  }
}
