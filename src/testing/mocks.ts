import { isDeepStrictEqual } from 'node:util';
import { assertEncodable } from '../codec/codec.js';
import { InvalidArgumentError } from '../errors/errors.js';

const ANYTHING = Symbol('redflow.anything');

/** An argument matcher accepting any value at its position (see `anything()`). */
export interface AnythingMatcher {
  readonly [ANYTHING]: true;
}

/** Matches any value at its position in `onActivity(fn, ...args)` or `onSubWorkflow(fn, ...args)`. */
export function anything(): AnythingMatcher {
  return { [ANYTHING]: true };
}

function isAnything(value: unknown): value is AnythingMatcher {
  return typeof value === 'object' && value !== null && ANYTHING in value;
}

/** What a mock does when a call matches it. */
type MockAction = { kind: 'returns'; value: unknown } | { kind: 'throws'; error: unknown } | { kind: 'fake'; fn: (...args: unknown[]) => unknown };

/**
 * The behaviour of one mocked activity or sub-workflow, configured by chaining: `returns`, `throws` or
 * `callsFake` says what a matching call does (without one, it returns `undefined`); `after` delays its outcome
 * in virtual time; `times`/`once` limit how many calls it answers, after which the next matching mock (in
 * registration order) or the real function takes over.
 */
export class MockBehavior {
  /** What it mocks, for messages: `'activity'` or `'sub-workflow'`. */
  readonly kind: string;
  /** The activity or sub-workflow name it answers. */
  readonly name: string;
  /** The arguments it matches (`anything()` matches any value); undefined: any arguments. */
  readonly args: readonly unknown[] | undefined;
  private action: MockAction = { kind: 'returns', value: undefined };
  private delay = 0;
  private limit: number | undefined;
  /** Calls it answered. */
  calls = 0;

  constructor(kind: string, name: string, args: readonly unknown[] | undefined) {
    this.kind = kind;
    this.name = name;
    this.args = args;
  }

  /**
   * Matching calls return `value` (an activity's result, a sub-workflow's result).
   * @throws InvalidArgumentError naming the mock when `value` cannot be stored (a function, a symbol...).
   */
  returns(value: unknown): this {
    assertEncodable(value, `returns() of the mock of ${this.kind} ${this.name}`);
    this.action = { kind: 'returns', value };
    return this;
  }

  /** Matching calls fail with `error` (as a `WorkflowError` inside the workflow, as a real failure would). */
  throws(error: unknown): this {
    this.action = { kind: 'throws', error };
    return this;
  }

  /**
   * Matching calls run `fn` with the call's arguments; what it returns (or resolves to) is the result, what it
   * throws the failure. For an activity it runs inside an activity context (`activityContext()` works).
   */
  callsFake(fn: (...args: never[]) => unknown): this {
    if (typeof fn !== 'function') throw new InvalidArgumentError('callsFake expects a function');
    this.action = { kind: 'fake', fn: fn as (...args: unknown[]) => unknown };
    return this;
  }

  /** The outcome reaches the workflow `delayMs` of virtual time after the call (0 by default). */
  after(delayMs: number): this {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new InvalidArgumentError(`after: delayMs must be a finite number >= 0, got ${delayMs}`);
    this.delay = delayMs;
    return this;
  }

  /** Answers at most `count` calls (a whole number >= 1); `assertExpectations` then wants exactly that many. */
  times(count: number): this {
    if (!Number.isSafeInteger(count) || count < 1) throw new InvalidArgumentError(`times: count must be a whole number >= 1, got ${count}`);
    this.limit = count;
    return this;
  }

  /** `times(1)`. */
  once(): this {
    return this.times(1);
  }

  /** Virtual delay of the outcome, ms. */
  get delayMs(): number {
    return this.delay;
  }

  /** True while it can answer another call. */
  get available(): boolean {
    return this.limit === undefined || this.calls < this.limit;
  }

  /** Why `assertExpectations` is not satisfied with it, or undefined when it is. */
  unmetExpectation(): string | undefined {
    if (this.limit !== undefined && this.calls !== this.limit) return `expected ${this.limit} call(s), got ${this.calls}`;
    if (this.calls === 0) return 'never called';
    return undefined;
  }

  /** True when `inputs` match its arguments. */
  matches(inputs: readonly unknown[]): boolean {
    if (this.args === undefined) return true;
    if (this.args.length !== inputs.length) return false;
    return this.args.every((expected, index) => isAnything(expected) || isDeepStrictEqual(expected, inputs[index]));
  }

  /** The outcome of a call when it needs no code to run (`returns`, `throws`); undefined for `callsFake`. */
  immediateOutcome(): { result: unknown } | { thrown: unknown } | undefined {
    const action = this.action;
    if (action.kind === 'returns') return { result: action.value };
    if (action.kind === 'throws') return { thrown: action.error };
    return undefined;
  }

  /** Runs the configured action for one call: resolves with the result, rejects with the failure. */
  async run(inputs: readonly unknown[], wrap: <T>(fn: () => T) => T = (fn) => fn()): Promise<unknown> {
    const action = this.action;
    switch (action.kind) {
      case 'returns':
        return action.value;
      case 'throws':
        throw action.error;
      case 'fake':
        return await wrap(() => action.fn(...inputs));
    }
  }
}

/** The mocks of one kind (activities or sub-workflows), by name, in registration order. */
export class MockSet {
  private readonly mocks: MockBehavior[] = [];
  /** What its mocks mock, for messages: `'activity'` or `'sub-workflow'`. */
  private readonly kind: string;

  constructor(kind: string) {
    this.kind = kind;
  }

  /** Registers a mock for `name` matching `args` (undefined: any arguments). */
  add(name: string, args: readonly unknown[] | undefined): MockBehavior {
    const mock = new MockBehavior(this.kind, name, args);
    this.mocks.push(mock);
    return mock;
  }

  /** True when any mock, used up or not, was registered for `name`. */
  has(name: string): boolean {
    return this.mocks.some((mock) => mock.name === name);
  }

  /** The first available mock for `name` matching `inputs`, counted as called; undefined when none. */
  take(name: string, inputs: readonly unknown[]): MockBehavior | undefined {
    const mock = this.mocks.find((candidate) => candidate.name === name && candidate.available && candidate.matches(inputs));
    if (mock !== undefined) mock.calls += 1;
    return mock;
  }

  /** One line per mock whose expectation is not met, prefixed with its kind. */
  unmet(): string[] {
    return this.mocks.flatMap((mock) => {
      const problem = mock.unmetExpectation();
      const args = mock.args === undefined ? 'any arguments' : `arguments ${describeArgs(mock.args)}`;
      return problem === undefined ? [] : [`${this.kind} ${mock.name} with ${args}: ${problem}`];
    });
  }
}

/** Arguments for messages; `anything()` shows as `<anything>`. */
export function describeArgs(args: readonly unknown[]): string {
  const shown = args.map((arg) => (isAnything(arg) ? '<anything>' : safeJson(arg)));
  return `(${shown.join(', ')})`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
