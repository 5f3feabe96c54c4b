import type { Logger } from 'pino';

const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = (): void => undefined;

/** Wraps a pino logger so it drops every record while `isReplaying()` is true: replays log nothing twice. */
export function replaySilentLogger(logger: Logger, isReplaying: () => boolean): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (typeof property === 'string' && LOG_METHODS.has(property) && isReplaying()) return noop;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
