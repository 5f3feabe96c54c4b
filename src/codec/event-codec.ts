import type { WorkflowInstance } from '../core/instance.js';
import type { HistoryEvent, NewEvent } from '../history/events.js';
import { decode, encode, undecodable } from './codec.js';

interface WireEvent {
  t: HistoryEvent['type'];
  ts: number;
  s?: number;
  a: unknown;
}

/**
 * Encodes an event for storage; the sequence id is implied by the position in the history. Throws
 * `InvalidArgumentError` if its attributes hold what a payload cannot (see `encode`).
 */
export function encodeEvent(event: NewEvent): Buffer {
  const wire: WireEvent = { t: event.type, ts: event.timestamp.getTime(), a: event.attributes };
  if (event.scheduleEventId !== undefined) wire.s = event.scheduleEventId;
  return encode(wire, `${event.type} event`);
}

/**
 * Decodes an event written by `encodeEvent`: an inbox event of `owner`, or its history event `sequenceId`.
 * Throws `UndecodableDataError` naming the event and its instance when the bytes cannot be read.
 */
export function decodeEvent(bytes: Uint8Array, owner?: WorkflowInstance, sequenceId?: number): NewEvent {
  let wire: unknown;
  try {
    wire = decode(bytes);
  } catch (err) {
    throw undecodable(describeEvent(owner, sequenceId), (err as Error).cause);
  }
  if (!isWireEvent(wire)) throw undecodable(describeEvent(owner, sequenceId), new TypeError('the blob is not an event'));
  const event = { type: wire.t, timestamp: new Date(wire.ts), attributes: wire.a } as NewEvent;
  if (wire.s !== undefined) event.scheduleEventId = wire.s;
  return event;
}

/** Decodes the history event of `owner` at position `sequenceId`; throws like `decodeEvent`. */
export function decodeHistoryEvent(bytes: Uint8Array, sequenceId: number, owner?: WorkflowInstance): HistoryEvent {
  return Object.assign(decodeEvent(bytes, owner, sequenceId), { sequenceId });
}

function isWireEvent(wire: unknown): wire is WireEvent {
  if (typeof wire !== 'object' || wire === null) return false;
  const { t, ts } = wire as Partial<WireEvent>;
  return typeof t === 'string' && typeof ts === 'number';
}

function describeEvent(owner: WorkflowInstance | undefined, sequenceId: number | undefined): string {
  const event = sequenceId === undefined ? 'an inbox event' : `history event ${sequenceId}`;
  return owner === undefined ? event : `${event} of workflow instance ${owner.instanceId} (execution ${owner.executionId})`;
}
