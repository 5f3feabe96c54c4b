import type { HistoryEvent, NewEvent } from '../history/events.js';
import { decode, encode } from './codec.js';

interface WireEvent {
  t: HistoryEvent['type'];
  ts: number;
  s?: number;
  a: unknown;
}

/** Encodes an event for storage; the sequence id is implied by the position in the history. */
export function encodeEvent(event: NewEvent): Buffer {
  const wire: WireEvent = { t: event.type, ts: event.timestamp.getTime(), a: event.attributes };
  if (event.scheduleEventId !== undefined) wire.s = event.scheduleEventId;
  return encode(wire);
}

/** Decodes an event written by `encodeEvent`. */
export function decodeEvent(bytes: Uint8Array): NewEvent {
  const wire = decode<WireEvent>(bytes);
  const event = { type: wire.t, timestamp: new Date(wire.ts), attributes: wire.a } as NewEvent;
  if (wire.s !== undefined) event.scheduleEventId = wire.s;
  return event;
}

/** Decodes a stored history event at position `sequenceId`. */
export function decodeHistoryEvent(bytes: Uint8Array, sequenceId: number): HistoryEvent {
  return { ...decodeEvent(bytes), sequenceId };
}
