/**
 * Named FIFO queues of task ids (execution keys, or activity record ids). An id can stay queued after its task
 * went away or was claimed another way: whoever takes ids checks each one still stands for a task.
 */
export class TaskQueues {
  private readonly queues = new Map<string, string[]>();
  private readonly onQueued: () => void;

  /** `onQueued` is called after every `push`, to wake whoever waits for a task. */
  constructor(onQueued: () => void) {
    this.onQueued = onQueued;
  }

  /** Appends `id` to `queue`. */
  push(queue: string, id: string): void {
    const entries = this.queues.get(queue) ?? [];
    entries.push(id);
    this.queues.set(queue, entries);
    this.onQueued();
  }

  /** Takes `id` out of `queue` if it waits there. */
  remove(queue: string, id: string): void {
    const entries = this.queues.get(queue);
    const at = entries?.indexOf(id) ?? -1;
    if (at >= 0) entries?.splice(at, 1);
  }

  /**
   * Takes the first id that `valid` accepts, from the first of `names` (in order) that holds one; the ids
   * `valid` rejects on the way are dropped. Undefined when none is left.
   */
  takeFirst(names: readonly string[], valid: (id: string) => boolean): string | undefined {
    for (const name of names) {
      const entries = this.queues.get(name);
      while (entries !== undefined && entries.length > 0) {
        const id = entries.shift() as string;
        if (valid(id)) return id;
      }
    }
    return undefined;
  }
}
