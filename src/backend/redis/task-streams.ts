import { assertQueueName } from '../../core/validation.js';
import type { RedisContext } from './redis-context.js';

/** Where a task stream belongs: its partition and the queue whose tasks it holds. */
export interface TaskStreamInfo {
  partition: number;
  queue: string;
}

/**
 * The task streams one kind of task is polled from, one per queue and partition. Remembers the partition
 * and queue of every stream it named, so a polled entry can be traced back to them.
 */
export class TaskStreams {
  readonly #context: RedisContext;
  readonly #keyOf: (prefix: string, partition: number, queue: string) => string;
  readonly #named = new Map<string, TaskStreamInfo>();

  /** `keyOf` names the stream of a queue in a partition (`workflowTaskStreamKey` or `activityTaskStreamKey`). */
  constructor(context: RedisContext, keyOf: (prefix: string, partition: number, queue: string) => string) {
    this.#context = context;
    this.#keyOf = keyOf;
  }

  /**
   * The streams of `queues` in every partition, grouped by partition (one Cluster slot each), as
   * `StreamTaskReader.poll` takes them. Throws `InvalidArgumentError` for an invalid queue name.
   */
  slots(queues: readonly string[]): string[][] {
    for (const queue of queues) assertQueueName(queue);
    const slots: string[][] = [];
    for (let partition = 0; partition < this.#context.partitions; partition++) {
      slots.push(
        queues.map((queue) => {
          const stream = this.#keyOf(this.#context.prefix, partition, queue);
          this.#named.set(stream, { partition, queue });
          return stream;
        }),
      );
    }
    return slots;
  }

  /** Partition and queue of a stream `slots` named; undefined for any other. */
  infoOf(stream: string): TaskStreamInfo | undefined {
    return this.#named.get(stream);
  }
}
