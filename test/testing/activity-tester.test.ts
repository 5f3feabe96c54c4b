import assert from 'node:assert/strict';
import { activityContext } from '../../src/activity/activity-context.js';
import { InvalidArgumentError, LeaseLostError } from '../../src/errors/errors.js';
import { ActivityTester } from '../../src/testing/index.js';

async function download(url: string): Promise<string> {
  const context = activityContext();
  for (let part = 1; part <= 3; part++) {
    if (context.signal.aborted) throw new Error(`aborted at part ${part}`);
    await context.heartbeat({ part });
  }
  return `${url} on attempt ${context.attempt} of ${context.instance.instanceId}`;
}

describe('ActivityTester', () => {
  it('runs an activity with the attempt and instance it is given, capturing heartbeats', async () => {
    const tester = new ActivityTester({ attempt: 2, instance: { instanceId: 'order-7', executionId: 'e1' } });
    assert.equal(await tester.run(download, 'https://x'), 'https://x on attempt 2 of order-7');
    assert.deepEqual(tester.heartbeats, [{ part: 1 }, { part: 2 }, { part: 3 }]);
    assert.equal(tester.context.queue, 'default');
    assert.equal(tester.context.redeliveries, 0);
  });

  it('defaults to the first attempt of a test instance', async () => {
    async function who(): Promise<string> {
      const { attempt, activityId, instance } = activityContext();
      return `${attempt}/${activityId}/${instance.instanceId}`;
    }
    assert.equal(await new ActivityTester().run(who), '0/test-activity/test-instance');
  });

  it('aborts the signal on request', async () => {
    const tester: ActivityTester = new ActivityTester({
      onHeartbeat: (details): void => {
        if ((details as { part: number }).part === 2) tester.abort();
      },
    });
    await assert.rejects(tester.run(download, 'u'), /aborted at part 3/);
    assert.equal(tester.context.signal.aborted, true);
  });

  it('rejects a heartbeat when onHeartbeat throws, as a lost lease would', async () => {
    const tester = new ActivityTester({
      onHeartbeat: () => {
        throw new LeaseLostError('lease lost');
      },
    });
    await assert.rejects(tester.run(download, 'u'), LeaseLostError);
  });

  it('refuses results a worker could not store, and bad options', async () => {
    async function unstorable(): Promise<() => void> {
      return () => undefined;
    }
    await assert.rejects(new ActivityTester().run(unstorable), InvalidArgumentError);
    assert.throws(() => new ActivityTester({ attempt: -1 }), InvalidArgumentError);
  });

  it('throws activityContext() outside run', () => {
    assert.throws(() => activityContext(), /only be called inside an activity/);
  });

  it('rejects an unknown option key, naming it', () => {
    assert.throws(() => new ActivityTester({ attempts: 2 } as never), /unknown option "attempts"/);
  });
});
