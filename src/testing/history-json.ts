import { decode, encode } from '../codec/codec.js';
import type { WorkflowInstance } from '../core/instance.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { HistoryEvent } from '../history/events.js';
import { assertRecordedHistory } from './history-check.js';
import type { RecordedHistory } from './replay-history.js';

/** The `format` field of every history file. */
export const HISTORY_FILE_FORMAT = 'redflow-history';

/** The `version` of the history files this version of redflow writes (and the only one it reads). */
export const HISTORY_FILE_VERSION = 1;

/**
 * One event in a history file. The envelope is readable JSON; `attributes` (which hold payloads: Dates,
 * BigInts, Maps, Sets, typed arrays, `undefined`, Errors...) are the event's attributes in redflow's stored
 * encoding (msgpack with redflow's tagged values), base64, so they come back exactly as they were recorded.
 */
export interface HistoryFileEvent {
  sequenceId: number;
  type: string;
  /** ISO 8601, millisecond precision. */
  timestamp: string;
  scheduleEventId?: number;
  /** Base64 of the encoded attributes. */
  attributes: string;
}

/** The JSON document `historyToJson` writes: one execution's history. */
export interface HistoryFile {
  format: typeof HISTORY_FILE_FORMAT;
  version: typeof HISTORY_FILE_VERSION;
  /** The execution that recorded it, when known. */
  instance?: { instanceId: string; executionId: string };
  events: HistoryFileEvent[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The JSON text of a history file (`HistoryFile`, indented) holding `history` and, when given, the execution
 * that recorded it (`replayHistory` seeds `workflow.random` with it). `historyFromJson` reads it back exactly.
 * @throws InvalidArgumentError when `history` is not a recorded execution (see `assertRecordedHistory`) or an
 *   event's attributes hold what cannot be stored.
 */
export function historyToJson(history: HistoryEvent[], instance?: WorkflowInstance): string {
  assertRecordedHistory(history, 'historyToJson: history');
  const file: HistoryFile = { format: HISTORY_FILE_FORMAT, version: HISTORY_FILE_VERSION, events: history.map(toFileEvent) };
  if (instance !== undefined) file.instance = { instanceId: instance.instanceId, executionId: instance.executionId };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function toFileEvent(event: HistoryEvent): HistoryFileEvent {
  const encoded = encode(event.attributes, `attributes of history event ${event.sequenceId} (${event.type})`);
  const fileEvent: HistoryFileEvent = {
    sequenceId: event.sequenceId,
    type: event.type,
    timestamp: event.timestamp.toISOString(),
    attributes: encoded.toString('base64'),
  };
  if (event.scheduleEventId !== undefined) fileEvent.scheduleEventId = event.scheduleEventId;
  return fileEvent;
}

/**
 * Reads a history file written by `historyToJson`: the events, decoded, and the recording execution if the
 * file names one. `source` names the text in error messages (a file path, say).
 * @throws InvalidArgumentError naming `source` and the problem: not JSON, not a redflow history file, a version
 *   this one cannot read, a malformed event (its index and field), attributes that cannot be decoded, or events
 *   that are not a recorded execution (see `assertRecordedHistory`).
 */
export function historyFromJson(text: string, source = 'history file'): RecordedHistory {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${source} is not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as Partial<HistoryFile>).format !== HISTORY_FILE_FORMAT) {
    throw new InvalidArgumentError(`${source} is not a redflow history file (its "format" is not "${HISTORY_FILE_FORMAT}")`);
  }
  const file = parsed as Partial<Record<keyof HistoryFile, unknown>>;
  if (file.version !== HISTORY_FILE_VERSION) {
    throw new InvalidArgumentError(`${source} has version ${JSON.stringify(file.version)}; this redflow reads version ${HISTORY_FILE_VERSION}`);
  }
  if (!Array.isArray(file.events)) throw new InvalidArgumentError(`${source} has no "events" array`);
  const history = file.events.map((event: unknown, index) => fromFileEvent(event, `${source}: events[${index}]`));
  assertRecordedHistory(history, `${source}: events`);
  const recorded: RecordedHistory = { history };
  if (file.instance !== undefined) recorded.instance = instanceOf(file.instance, `${source}: instance`);
  return recorded;
}

function fromFileEvent(value: unknown, at: string): HistoryEvent {
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(`${at} is not an object`);
  const { sequenceId, type, timestamp, scheduleEventId, attributes } = value as Partial<Record<keyof HistoryFileEvent, unknown>>;
  if (!Number.isSafeInteger(sequenceId)) throw new InvalidArgumentError(`${at}.sequenceId is not an integer`);
  if (typeof type !== 'string') throw new InvalidArgumentError(`${at}.type is not a string`);
  const time = typeof timestamp === 'string' ? new Date(timestamp) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) throw new InvalidArgumentError(`${at}.timestamp is not an ISO 8601 date`);
  if (scheduleEventId !== undefined && !Number.isSafeInteger(scheduleEventId)) {
    throw new InvalidArgumentError(`${at}.scheduleEventId is not an integer`);
  }
  if (typeof attributes !== 'string' || !BASE64.test(attributes)) throw new InvalidArgumentError(`${at}.attributes is not base64`);
  let decoded: unknown;
  try {
    decoded = decode(Buffer.from(attributes, 'base64'));
  } catch (err) {
    throw new InvalidArgumentError(`${at}.attributes cannot be decoded (${(err as Error).message})`, { cause: err });
  }
  const event = { sequenceId, type, timestamp: time, attributes: decoded } as HistoryEvent;
  if (scheduleEventId !== undefined) event.scheduleEventId = scheduleEventId as number;
  return event;
}

function instanceOf(value: unknown, at: string): WorkflowInstance {
  const { instanceId, executionId } = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<string, unknown>>;
  if (typeof instanceId !== 'string' || typeof executionId !== 'string') {
    throw new InvalidArgumentError(`${at} is not { instanceId, executionId } with two strings`);
  }
  return { instanceId, executionId };
}
