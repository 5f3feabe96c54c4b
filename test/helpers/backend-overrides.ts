import type { Backend } from '../../src/backend/backend.js';

/**
 * `backend` with some methods replaced, the rest passed through: a worker given it behaves as one whose
 * calls to the store go wrong in the way `overrides` says (its extensions never arrive, its commits stall).
 * Closing it closes `backend`.
 */
export function withOverrides(backend: Backend, overrides: Partial<Backend>): Backend {
  return new Proxy(backend, {
    get(target, property) {
      const replaced = overrides[property as keyof Backend];
      if (replaced !== undefined) return replaced;
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the real backend, whose private fields a proxy receiver cannot reach.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
