import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

/** The methods of a pino logger that write a line. */
export const LOG_METHODS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * `parent.child(bindings)` for the loggers handed to workflow and activity code, which never writes a field
 * twice in one line. pino writes a field once per source (parent bindings, child bindings, the object of the
 * log call), so an activity's `logger.info({ attempt }, ...)` would show `attempt` twice. Here a binding, a
 * field of a log call or of a further `child()` that repeats an already bound field with the same value is
 * left out; one with a different value is kept, as it tells something.
 */
export function contextLogger(parent: Logger, bindings: Bindings): Logger {
  const parentBound = boundOf(parent);
  const added = unbound(bindings, parentBound);
  return withoutRepeats(parent.child(added), Object.assign({}, parentBound, added));
}

// pino's bindings() parses JSON, and a context logger is made once per activity attempt and workflow execution
// from the same few parents (the worker's logger): their bindings are read once. A logger's bindings do not
// change once it is made (redflow never calls setBindings).
const parentBindings = new WeakMap<Logger, Bindings>();

function boundOf(parent: Logger): Bindings {
  let bound = parentBindings.get(parent);
  if (bound === undefined) {
    bound = parent.bindings();
    parentBindings.set(parent, bound);
  }
  return bound;
}

// `bound` is what `logger.bindings()` returns, known to the caller.
function withoutRepeats(logger: Logger, bound: Bindings): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'child') {
        return (childBindings: Bindings, options?: ChildLoggerOptions) => {
          const added = unbound(childBindings, bound);
          return withoutRepeats(target.child(added, options), Object.assign({}, bound, added));
        };
      }
      if (typeof property !== 'string' || !LOG_METHODS.has(property) || typeof value !== 'function') return value;
      return (first: unknown, ...rest: unknown[]): unknown => Reflect.apply(value, receiver, [isPlainObject(first) ? unbound(first, bound) : first, ...rest]);
    },
  });
}

function unbound(fields: Record<string, unknown>, bound: Bindings): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key, value]) => !(Object.hasOwn(bound, key) && Object.is(bound[key], value))));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
