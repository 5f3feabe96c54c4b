/** One stream entry as the backend reads it: binary-safe field values, string ids. */
export interface StreamEntry {
  readonly stream: string;
  readonly id: string;
  readonly fields: ReadonlyMap<string, Buffer>;
  /**
   * How many times the group handed the entry out, this time included: its fencing token. Every delivery
   * after the first was a reclaim, made because its holder's lease had run out.
   */
  readonly deliveries: number;
}

function toFields(raw: unknown): Map<string, Buffer> | undefined {
  if (!Array.isArray(raw)) return undefined;
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    fields.set(String(raw[i]), raw[i + 1] as Buffer);
  }
  return fields;
}

function toEntries(stream: string, raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const entries: StreamEntry[] = [];
  for (const item of raw as unknown[]) {
    // An entry deleted while pending comes back as nil (or with nil fields) on Redis < 7.
    if (!Array.isArray(item) || item[0] == null) continue;
    const fields = toFields(item[1]);
    if (fields === undefined) continue;
    // XREADGROUP '>' delivers an entry for the first time.
    entries.push({ stream, id: String(item[0]), fields, deliveries: 1 });
  }
  return entries;
}

/** Entries of an `XREADGROUP` reply read with `callBuffer` (nil when the read timed out). */
export function parseReadGroupReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return (reply as unknown[]).flatMap((item) => {
    if (!Array.isArray(item)) return [];
    return toEntries(String(item[0]), item[1]);
  });
}

/** What one reclaim-tasks.lua call found on a task stream. */
export interface ReclaimedEntries {
  /** Where the next scan of the pending list goes on ('0-0' = from the start). */
  cursor: string;
  /** Time (ms) until the soonest lease the scan saw running ends; undefined when it saw none. */
  soonestLeaseEndMs: number | undefined;
  /** Entries claimed for the caller, with their new delivery counts. */
  entries: StreamEntry[];
}

/** Reads the `{ cursor, soonest lease end, { id, fields, deliveries, ... } }` reply of reclaim-tasks.lua (binary). */
export function parseReclaimReply(stream: string, reply: unknown): ReclaimedEntries {
  const [cursor, soonest, flat] = reply as [Buffer, number, unknown[]];
  const entries: StreamEntry[] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    const fields = toFields(flat[i + 1]);
    if (fields !== undefined) entries.push({ stream, id: String(flat[i]), fields, deliveries: Number(flat[i + 2]) });
  }
  return { cursor: String(cursor), soonestLeaseEndMs: soonest < 0 ? undefined : soonest, entries };
}
