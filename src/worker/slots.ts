/** Counts free task slots; pollers take what is free before they poll and give back what they did not use. */
export class Slots {
  private free: number;
  private waiters: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Waits until at least one slot is free, then takes every free slot. */
  async takeFree(): Promise<number> {
    while (this.free === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    const taken = this.free;
    this.free = 0;
    return taken;
  }

  /** Takes up to `wanted` free slots without waiting; returns how many it took. */
  tryTake(wanted: number): number {
    const taken = Math.max(0, Math.min(wanted, this.free));
    this.free -= taken;
    return taken;
  }

  /** Returns `count` slots. */
  release(count: number): void {
    if (count <= 0) return;
    this.free += count;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
