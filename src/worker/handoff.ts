/**
 * Slots a worker set aside for tasks that a completion may hand straight back (the next workflow task, or
 * the activities just scheduled), and what to do with those tasks.
 */
export interface Reservation<Request, Task> {
  /** What to ask the backend for. */
  readonly request: Request;
  /** Runs the handed-over tasks in the reserved slots and frees the rest; call exactly once. */
  accept(tasks: readonly Task[]): void;
}

/** Reserves slots for up to `wanted` handed-over tasks, or returns undefined when none are free. */
export type Reserve<Request, Task> = (wanted: number) => Reservation<Request, Task> | undefined;
