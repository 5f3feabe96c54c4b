import assert from 'node:assert/strict';
import { activityContext } from '../../src/activity/activity-context.js';
import { WorkflowError } from '../../src/errors/errors.js';
import { MAX_DETAILS_BYTES, MAX_FAILURE_TEXT_LENGTH } from '../../src/errors/thrown-value.js';
import { workflow, type WorkflowContext } from '../../src/workflow/index.js';
import { everyTrapThrows } from '../helpers/hostile-values.js';
import { watchUnhandledRejections } from '../helpers/unhandled-rejections.js';
import type { E2E } from './harness.js';

type Kind = 'plain object' | 'Error with a non-Error cause' | 'object without prototype' | 'Proxy whose every trap throws';

/** What user code throws, built where it is thrown (workflow and activity inputs are payloads). */
function thrown(kind: Kind): unknown {
  switch (kind) {
    case 'plain object':
      return { code: 'E_QUOTA', limit: 5 };
    case 'Error with a non-Error cause':
      return new Error('quota check failed', { cause: { code: 'ECONNRESET' } });
    case 'object without prototype':
      return Object.assign(Object.create(null) as object, { code: 'E_NULL' });
    case 'Proxy whose every trap throws':
      return everyTrapThrows();
  }
}

/** The failure every site must end with for `kind` (API.md "Thrown values"). */
function assertFailure(err: unknown, kind: Kind, site: string): void {
  assert.ok(err instanceof WorkflowError, `${site}: a WorkflowError`);
  assert.equal(err.type, 'Error', site);
  switch (kind) {
    case 'plain object':
      assert.equal(err.message, '{"code":"E_QUOTA","limit":5}', site);
      assert.deepEqual(err.details, { code: 'E_QUOTA', limit: 5 }, site);
      break;
    case 'Error with a non-Error cause':
      assert.equal(err.message, 'quota check failed', site);
      assert.equal(err.details, undefined, site);
      assert.ok(err.cause instanceof WorkflowError, `${site}: the cause is kept`);
      assert.equal(err.cause.message, '{"code":"ECONNRESET"}', site);
      assert.deepEqual(err.cause.details, { code: 'ECONNRESET' }, site);
      break;
    case 'object without prototype':
      assert.equal(err.message, '{"code":"E_NULL"}', site);
      assert.deepEqual(err.details, { code: 'E_NULL' }, site);
      break;
    case 'Proxy whose every trap throws':
      assert.equal(err.message, '[an object that could not be described] (details incomplete: details could not be read)', site);
      assert.equal(err.details, undefined, site);
      break;
  }
}

async function throwsInWorkflow(_ctx: WorkflowContext, kind: Kind): Promise<never> {
  throw thrown(kind);
}

async function throwsInActivity(kind: Kind): Promise<never> {
  throw thrown(kind);
}

async function throwsFromActivity(ctx: WorkflowContext, kind: Kind): Promise<void> {
  await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, throwsInActivity, kind);
}

async function throwsFromSubWorkflow(ctx: WorkflowContext, kind: Kind): Promise<void> {
  await workflow.createSubWorkflowInstance(ctx, {}, throwsInWorkflow, kind);
}

async function throwsFromSideEffect(ctx: WorkflowContext, kind: Kind): Promise<void> {
  await workflow.sideEffect(ctx, () => {
    throw thrown(kind);
  });
}

async function throwsFromSelectHandler(ctx: WorkflowContext, kind: Kind): Promise<void> {
  await workflow.select(
    ctx,
    workflow.onFuture(workflow.scheduleTimer(ctx, 1), () => {
      throw thrown(kind);
    }),
  );
}

async function answers(_ctx: WorkflowContext): Promise<string> {
  return 'still serving';
}

const sites = [throwsInWorkflow, throwsFromActivity, throwsFromSubWorkflow, throwsFromSideEffect, throwsFromSelectHandler];
const setup = { workflows: [...sites, answers], activities: [throwsInActivity] };

/** Whatever workflow and activity code throws: API.md "Thrown values", no worker crash, no stuck instance. */
export function thrownValueScenarios(e2e: E2E): void {
  const kinds: Kind[] = ['plain object', 'Error with a non-Error cause', 'object without prototype', 'Proxy whose every trap throws'];
  for (const kind of kinds) {
    it(`fails the instance on a thrown ${kind} from a workflow, an activity, a sub-workflow, a side effect or a select handler`, async () => {
      const unhandled = watchUnhandledRejections();
      const client = await e2e.engine(setup);
      const failures = sites.map(async (site) => {
        const instance = await client.createWorkflowInstance({ instanceId: e2e.id(site.name) }, site.name, kind);
        await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
          assertFailure(err, kind, site.name);
          return true;
        });
        assert.equal(await client.getWorkflowInstanceState(instance), 'finished');
      });
      await Promise.all(failures);
      const next = await client.createWorkflowInstance({ instanceId: e2e.id('answers') }, answers);
      assert.equal(await client.getWorkflowResult(next, 10_000), 'still serving', 'the worker serves the next instance');
      assert.equal(await unhandled.stop(), 0, 'no unhandled rejection');
    });
  }

  it("shows a failed activity's details, extra error fields and cause details to the workflow that catches it", async () => {
    async function refusesQuota(): Promise<never> {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
      throw { code: 'E_QUOTA', limit: 5 };
    }
    async function resetsConnection(): Promise<never> {
      throw Object.assign(new Error('read ECONNRESET', { cause: { host: 'billing', port: 443 } }), { code: 'ECONNRESET', errno: -104 });
    }
    type Seen = { message: string; type: string; details: unknown; causeDetails?: unknown };
    async function catchesActivities(ctx: WorkflowContext): Promise<Seen[]> {
      const seen: Seen[] = [];
      for (const activity of [refusesQuota, resetsConnection]) {
        try {
          await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, activity);
        } catch (err) {
          assert.ok(err instanceof WorkflowError);
          const { message, type, details } = err;
          seen.push(err.cause instanceof WorkflowError ? { message, type, details, causeDetails: err.cause.details } : { message, type, details });
        }
      }
      return seen;
    }
    assert.deepEqual(await e2e.run({ workflows: [catchesActivities], activities: [refusesQuota, resetsConnection] }, catchesActivities), [
      { message: '{"code":"E_QUOTA","limit":5}', type: 'Error', details: { code: 'E_QUOTA', limit: 5 } },
      { message: 'read ECONNRESET', type: 'Error', details: { code: 'ECONNRESET', errno: -104 }, causeDetails: { host: 'billing', port: 443 } },
    ]);
  });

  it('keeps a cut failure message within the limit, notes included, when the workflow rethrows it', async () => {
    async function throwsHuge(): Promise<never> {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
      throw { code: 'E_QUOTA', blob: 'y'.repeat(MAX_DETAILS_BYTES + 10) };
    }
    async function throwsLong(): Promise<never> {
      throw new Error('x'.repeat(3 * MAX_FAILURE_TEXT_LENGTH));
    }
    async function rethrows(ctx: WorkflowContext, which: string): Promise<void> {
      await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, which === 'huge' ? throwsHuge : throwsLong);
    }
    const client = await e2e.engine({ workflows: [rethrows], activities: [throwsHuge, throwsLong] });
    for (const which of ['huge', 'long']) {
      const instance = await client.createWorkflowInstance({ instanceId: e2e.id(`rethrows-${which}`) }, rethrows, which);
      const failure = await client.getWorkflowResult(instance, 10_000).then(
        () => assert.fail('the workflow fails'),
        (err: unknown) => err,
      );
      assert.ok(failure instanceof WorkflowError);
      assert.ok(failure.message.length <= MAX_FAILURE_TEXT_LENGTH, `${failure.message.length} characters`);
      assert.match(failure.message, which === 'huge' ? /… \(\d+ more characters\) \(details incomplete: .*size limit/ : /^x+… \(\d+ more characters\)$/);
      const history = await client.getWorkflowInstanceHistory(instance);
      const activityFailed = history.find((event) => event.type === 'ActivityFailed');
      assert.ok(activityFailed?.type === 'ActivityFailed');
      assert.equal(failure.message, activityFailed.attributes.error.message, "the workflow's failure is the activity's, unchanged");
    }
  });

  it("retries an activity that throws non-Errors and fails with the last attempt's value", async () => {
    async function flaky(): Promise<never> {
      const { attempt } = activityContext();
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
      throw attempt === 0 ? everyTrapThrows() : { code: 'E_QUOTA', attempt };
    }
    async function retriesFlaky(ctx: WorkflowContext): Promise<void> {
      await workflow.executeActivity(ctx, { retry: { maxAttempts: 2, firstRetryIntervalMs: 10 } }, flaky);
    }
    const client = await e2e.engine({ workflows: [retriesFlaky], activities: [flaky] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('retries') }, retriesFlaky);
    await assert.rejects(client.getWorkflowResult(instance, 10_000), (err: unknown) => {
      assert.ok(err instanceof WorkflowError);
      assert.equal(err.message, '{"code":"E_QUOTA","attempt":1}');
      assert.deepEqual(err.details, { code: 'E_QUOTA', attempt: 1 });
      return true;
    });
    const history = await client.getWorkflowInstanceHistory(instance);
    assert.equal(history.filter((event) => event.type === 'ActivityFailed').length, 2);
  });

  it('raises no unhandled rejection for engine promises that workflow and activity code never await', async () => {
    async function heartbeatsWithoutAwaiting(): Promise<string> {
      // Functions cannot be heartbeat details: the heartbeat fails, and nobody awaits it.
      void activityContext().heartbeat(() => 'not a payload');
      return 'beat';
    }
    async function leavesPromisesUnawaited(ctx: WorkflowContext): Promise<string> {
      // A signal that arrives after its channel was closed is dropped.
      workflow.newSignalChannel<string>(ctx, 'late').close();
      const local = workflow.newChannel<number>(ctx);
      local.close();
      void local.receive();
      void local.send(1);
      void workflow.select(
        ctx,
        workflow.onDefault(() => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- throwing what is not an Error is what this test is about
          throw { code: 'E_SELECT' };
        }),
      );
      const [scope, cancel] = workflow.withCancel(ctx);
      void workflow.sleep(scope, 60_000);
      cancel();
      const beat = await workflow.executeActivity(ctx, { retry: { maxAttempts: 1 } }, heartbeatsWithoutAwaiting);
      const go = await workflow.newSignalChannel<string>(ctx, 'go').receive();
      return `${beat} ${go}`;
    }
    const unhandled = watchUnhandledRejections();
    const client = await e2e.engine({ workflows: [leavesPromisesUnawaited, answers], activities: [heartbeatsWithoutAwaiting] });
    const instance = await client.createWorkflowInstance({ instanceId: e2e.id('unawaited') }, leavesPromisesUnawaited);
    await client.signalWorkflow(instance.instanceId, 'late', 'dropped');
    await client.signalWorkflow(instance.instanceId, 'go', 'go');
    assert.equal(await client.getWorkflowResult(instance, 10_000), 'beat go');
    const next = await client.createWorkflowInstance({ instanceId: e2e.id('answers') }, answers);
    assert.equal(await client.getWorkflowResult(next, 10_000), 'still serving');
    assert.equal(await unhandled.stop(), 0, 'no unhandled rejection');
  });
}
