/** One stream entry as the backend reads it: binary-safe field values, string ids. */
export interface StreamEntry {
  readonly stream: string;
  readonly id: string;
  readonly fields: ReadonlyMap<string, Buffer>;
  /** How many times the group handed the entry out, this time included: its fencing token. */
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
    // XREADGROUP '>' delivers an entry for the first time; XAUTOCLAIM callers look the count up.
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

/** Cursor and claimed entries of an `XAUTOCLAIM` reply read with `callBuffer`. */
export function parseAutoClaimReply(stream: string, reply: unknown): { cursor: string; entries: StreamEntry[] } {
  if (!Array.isArray(reply)) return { cursor: '0-0', entries: [] };
  return { cursor: String(reply[0]), entries: toEntries(stream, reply[1]) };
}
