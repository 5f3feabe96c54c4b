import assert from 'node:assert/strict';
import { settledWithin } from '../../src/core/settled-within.js';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('settledWithin', () => {
  it('returns as soon as every promise settled, with each outcome in order', async () => {
    const started = Date.now();
    const outcomes = await settledWithin([after(10, 'a'), Promise.reject(new Error('b'))], 5_000);
    assert.ok(Date.now() - started < 1_000);
    assert.deepEqual(outcomes[0], { status: 'fulfilled', value: 'a' });
    assert.equal(outcomes[1]?.status, 'rejected');
  });

  it('leaves out what is still running at the deadline, and a late outcome changes nothing returned', async () => {
    let rejectLate: (err: Error) => void = () => undefined;
    const late = new Promise<string>((_resolve, reject) => (rejectLate = reject));
    const outcomes = await settledWithin([Promise.resolve('quick'), late], 50);
    assert.deepEqual(outcomes, [{ status: 'fulfilled', value: 'quick' }, undefined]);
    rejectLate(new Error('late'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(outcomes[1], undefined);
  });
});
