import assert from 'node:assert/strict';
import { lazy } from '../../src/core/lazy.js';

describe('lazy', () => {
  it('makes nothing until called, then the value once, undefined included', () => {
    let made = 0;
    const value = lazy(() => {
      made += 1;
      return made === 1 ? undefined : 'again';
    });
    assert.equal(made, 0);
    assert.equal(value(), undefined);
    assert.equal(value(), undefined);
    assert.equal(made, 1);
  });
});
