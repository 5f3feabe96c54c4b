import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { InvalidArgumentError } from '../errors/errors.js';

/** The environment variable that sets the level of every logger `createLogger` makes. */
export const LOG_LEVEL_ENV = 'REDFLOW_LOG_LEVEL';

/** The level of a logger `createLogger` makes when `REDFLOW_LOG_LEVEL` is unset or empty. */
export const DEFAULT_LOG_LEVEL: LevelWithSilent = 'info';

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** The `name` field of every line. @default 'redflow' */
  name?: string;
  /** The level when `REDFLOW_LOG_LEVEL` is unset or empty (a test may want `silent`). @default DEFAULT_LOG_LEVEL */
  defaultLevel?: LevelWithSilent;
  /** Where the JSON lines go. @default standard output */
  destination?: DestinationStream;
}

/**
 * The level `REDFLOW_LOG_LEVEL` asks for: one of `fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`
 * (case and surrounding spaces ignored), or `defaultLevel` when it is unset or empty.
 * @throws InvalidArgumentError when it holds anything else: a misspelt level fails at startup, not silently.
 */
function logLevelFromEnv(defaultLevel: LevelWithSilent = DEFAULT_LOG_LEVEL): LevelWithSilent {
  const raw = process.env[LOG_LEVEL_ENV]?.trim().toLowerCase() ?? '';
  if (raw === '') return defaultLevel;
  const level = LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) {
    throw new InvalidArgumentError(`${LOG_LEVEL_ENV} must be one of ${LEVELS.join(', ')}; got ${JSON.stringify(process.env[LOG_LEVEL_ENV])}`);
  }
  return level;
}

/**
 * The pino logger a `Worker`, `RedisBackend` or `MemoryBackend` uses when given none: JSON lines at the level
 * of `REDFLOW_LOG_LEVEL` (see `logLevelFromEnv`), so one setting governs every logger of a process.
 * @throws InvalidArgumentError when `REDFLOW_LOG_LEVEL` is not a level.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = { name: options.name ?? 'redflow', level: logLevelFromEnv(options.defaultLevel) };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
