import type { Bindings, ChildLoggerOptions, Logger } from 'pino';
import { LOG_METHODS } from '../core/context-logger.js';

const noop = (): void => undefined;

/**
 * Wraps a pino logger so it, and every child made from it, drops every record while `isReplaying()` is true:
 * replays log nothing twice.
 */
export function replaySilentLogger(logger: Logger, isReplaying: () => boolean): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property === 'child') {
        return (bindings: Bindings, options?: ChildLoggerOptions) => replaySilentLogger(target.child(bindings, options), isReplaying);
      }
      if (typeof property === 'string' && LOG_METHODS.has(property) && isReplaying()) return noop;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
