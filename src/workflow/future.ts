/** Settles a future; only the engine holds one. */
export interface FutureSettler<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * The result of a workflow operation (activity, timer, side effect...). A `PromiseLike`: await it, or pass
 * several to `Promise.all` / `Promise.race`. Only the engine settles futures, one history event at a time,
 * so what workflow code observes depends on the history alone.
 */
export class Future<T> implements PromiseLike<T> {
  private readonly promise: Promise<T>;
  private state: 'pending' | 'resolved' | 'rejected' = 'pending';
  private observedFlag = false;

  private constructor(register: (settler: FutureSettler<T>) => void) {
    let settle!: FutureSettler<T>;
    this.promise = new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // A future that fails before anyone awaits it must not surface as an unhandled rejection.
    this.promise.catch(() => undefined);
    register({
      resolve: (value) => {
        if (this.state !== 'pending') return;
        this.state = 'resolved';
        settle.resolve(value);
      },
      reject: (error) => {
        if (this.state !== 'pending') return;
        this.state = 'rejected';
        settle.reject(error);
      },
    });
  }

  /** Creates a pending future and the handle that settles it. */
  static create<T>(): [Future<T>, FutureSettler<T>] {
    let settler!: FutureSettler<T>;
    const future = new Future<T>((s) => {
      settler = s;
    });
    return [future, settler];
  }

  /** A future that follows `promise` (workflow-internal async work such as retry loops). */
  static from<T>(promise: Promise<T>): Future<T> {
    const [future, settler] = Future.create<T>();
    promise.then(
      (value) => settler.resolve(value),
      (error: unknown) => settler.reject(error),
    );
    return future;
  }

  /** A future that has already failed with `error`. */
  static rejected<T>(error: unknown): Future<T> {
    const [future, settler] = Future.create<T>();
    settler.reject(error);
    return future;
  }

  /** True once the future resolved or rejected. */
  get settled(): boolean {
    return this.state !== 'pending';
  }

  /** True once something called `then` (awaited it, raced it, selected on it): code may be waiting on it. */
  get observed(): boolean {
    return this.observedFlag;
  }

  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.observedFlag = true;
    return this.promise.then(onFulfilled, onRejected);
  }
}
