import type { Logger } from 'pino';
import { runInActivityContext, type ActivityContext } from '../activity/activity-context.js';
import type { ActivityRequest } from '../backend/backend.js';
import { assertEncodable, decode, encode } from '../codec/codec.js';
import { contextLogger } from '../core/context-logger.js';
import { executionKey } from '../core/instance.js';
import { ActivityTimeoutError, activityTimeoutFailure, permanentError, type ActivityTimeoutType } from '../errors/errors.js';
import { toFailureInfo } from '../errors/failure-info.js';
import { newEvent, type NewEvent } from '../history/events.js';
import type { ActivityFunction } from '../workflow/activity.js';
import type { Agenda } from './agenda.js';
import { describeArgs, type MockSet } from './mocks.js';
import type { TestExecution } from './test-execution.js';
import { WorkflowTesterError, type ActivityCall } from './tester-types.js';

/** How a piece of code ended. */
export type Settled = { result: unknown } | { thrown: unknown };

/** What the activity runner needs from the tester. */
export interface ActivityHost {
  readonly agenda: Agenda;
  readonly activityMocks: MockSet;
  readonly activities: ReadonlyMap<string, ActivityFunction>;
  readonly logger: Logger;
  nowMs(): number;
  /** Hands `event` to `execution` (dropped once it has ended). */
  deliver(execution: TestExecution, event: NewEvent): void;
  /** Ends the test with `err`. */
  fail(err: Error): void;
  /** Runs `work` as code that takes real time; `then` runs in the tester's loop once it settled. */
  track(work: Promise<Settled>, then: (settled: Settled) => void): void;
}

/**
 * Runs the activity attempts workflows schedule in the tester: a matching mock answers (at once, or after its
 * virtual delay), else the registered function runs for real in an activity context. Every attempt starts
 * (is claimed) as soon as it is scheduled, so a cancellation request leaves it to run to its end, as a worker
 * would. Its timeouts (startToClose, heartbeat, scheduleToClose) fire in virtual time and fail it with an
 * `ActivityTimeoutError`, aborting a real attempt's signal.
 */
export class ActivityRunner {
  readonly calls: ActivityCall[] = [];
  private readonly host: ActivityHost;

  constructor(host: ActivityHost) {
    this.host = host;
  }

  /** Starts the attempt `request` of `execution`. */
  start(execution: TestExecution, request: ActivityRequest): void {
    const { host } = this;
    const inputs = decode<unknown[]>(encode(request.inputs));
    const mock = host.activityMocks.take(request.name, inputs);
    const fn = host.activities.get(request.name);
    if (mock === undefined && fn === undefined) {
      const mocks = host.activityMocks.has(request.name) ? ' (its mocks match other arguments or are used up)' : '';
      host.fail(
        new WorkflowTesterError(
          'not-registered',
          `activity ${request.name} was called with ${describeArgs(inputs)} but is neither registered (registerActivity) nor mocked (onActivity)${mocks}`,
        ),
      );
      return;
    }
    const call: ActivityCall = {
      name: request.name,
      args: inputs,
      attempt: request.attempt,
      instance: { ...execution.instance },
      at: new Date(host.nowMs()),
      mocked: mock !== undefined,
      heartbeats: [],
    };
    this.calls.push(call);
    const key = `${executionKey(execution.instance)}\nactivity:${request.scheduleEventId}`;
    // Every agenda key of this attempt is `${key}:...`: the delimiter keeps activity 1 from matching activity 10.
    const keyPrefix = `${key}:`;
    const controller = new AbortController();
    let done = false;
    const finish = (outcome: Settled): void => {
      if (done) return;
      done = true;
      host.agenda.removePrefix(keyPrefix);
      const id = request.scheduleEventId;
      const at = new Date(host.nowMs());
      if ('thrown' in outcome) host.deliver(execution, newEvent('ActivityFailed', { error: toFailureInfo(outcome.thrown) }, id, at));
      else host.deliver(execution, newEvent('ActivityCompleted', { result: outcome.result }, id, at));
    };
    const timeOut = (type: ActivityTimeoutType, timeoutMs: number): void => {
      if (done) return;
      controller.abort(new ActivityTimeoutError(type, timeoutMs));
      done = true;
      host.agenda.removePrefix(keyPrefix);
      const error = activityTimeoutFailure(type, timeoutMs);
      host.deliver(execution, newEvent('ActivityFailed', { error }, request.scheduleEventId, new Date(host.nowMs())));
    };
    const deadline = (type: ActivityTimeoutType, atMs: number, timeoutMs: number): void => {
      host.agenda.add({ atMs, label: `${type} timeout of activity ${request.name}`, run: () => timeOut(type, timeoutMs) }, `${keyPrefix}${type}`);
    };
    const now = host.nowMs();
    const { startToCloseTimeoutMs, heartbeatTimeoutMs, scheduleToCloseTimeoutMs, scheduleToCloseDeadline } = request.timeouts ?? {};
    if (startToCloseTimeoutMs !== undefined) deadline('startToClose', now + startToCloseTimeoutMs, startToCloseTimeoutMs);
    if (heartbeatTimeoutMs !== undefined) deadline('heartbeat', now + heartbeatTimeoutMs, heartbeatTimeoutMs);
    if (scheduleToCloseTimeoutMs !== undefined && scheduleToCloseDeadline !== undefined) {
      deadline('scheduleToClose', scheduleToCloseDeadline.getTime(), scheduleToCloseTimeoutMs);
    }
    const context: ActivityContext = {
      activityId: `${execution.instance.executionId}:${request.scheduleEventId}`,
      attempt: request.attempt,
      redeliveries: 0,
      instance: { ...execution.instance },
      queue: request.queue,
      logger: contextLogger(host.logger, { instanceId: execution.instance.instanceId, activity: request.name, attempt: request.attempt }),
      signal: controller.signal,
      heartbeat: (details?: unknown) =>
        // As on a worker, bad details reject the returned promise rather than throw at the call.
        Promise.resolve().then(() => {
          if (done) return;
          if (details !== undefined) assertEncodable(details, 'heartbeat details');
          call.heartbeats.push(details);
          if (heartbeatTimeoutMs !== undefined) deadline('heartbeat', host.nowMs() + heartbeatTimeoutMs, heartbeatTimeoutMs);
        }),
    };
    const inContext = <T>(run: () => T): T => runInActivityContext(context, run);
    const delayMs = mock?.delayMs ?? 0;
    const deliverOutcome = (outcome: Settled): void => {
      if (delayMs === 0) finish(outcome);
      else host.agenda.add({ atMs: host.nowMs() + delayMs, label: `mocked activity ${request.name}`, run: () => finish(outcome) }, `${keyPrefix}outcome`);
    };
    const immediate = mock?.immediateOutcome();
    if (immediate !== undefined) {
      deliverOutcome(immediate);
      return;
    }
    const running = mock !== undefined ? mock.run(inputs, inContext) : inContext(async () => await (fn as ActivityFunction)(...inputs));
    host.track(settle(running, `result of activity ${request.name}`), deliverOutcome);
  }
}

/**
 * How `running` (an activity attempt or a mock's fake) ends; a result that cannot be stored (`what` names it)
 * is a permanent failure, as on a worker.
 */
export async function settle(running: Promise<unknown>, what: string): Promise<Settled> {
  let result: unknown;
  try {
    result = await running;
  } catch (thrown) {
    return { thrown };
  }
  try {
    assertEncodable(result, what);
  } catch (err) {
    // Running the activity again would produce the same value: the failure is permanent, as on a worker.
    return { thrown: permanentError(err as Error) };
  }
  return { result };
}
