import { InvalidArgumentError as InvalidOptionError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** What the help of a time option says it takes. */
export const TIME_ARGUMENT_HELP =
  'an ISO time in UTC unless it has an offset (2026-11-30, 2026-11-30T08:20, 2026-11-30T09:20+01:00) or a duration ago (30m, 1h, 2d)';

/**
 * Parses a time option: an ISO 8601 date or time (`2026-11-30`, `2026-11-30T07:00`, `2026-11-30T07:00:00Z`,
 * `2026-11-30T08:00+01:00`), or a duration ago: a whole number with a unit `ms`, `s`, `m`, `h`, `d` or `w`
 * (`90s`, `15m`, `1h`, `2d`), relative to `nowMs`. A date or time without an offset is UTC, whatever the
 * machine's zone: the command line prints times in UTC, and a command means the same on every machine (`Date`
 * alone would read a date as UTC but a time as local). Throws commander's `InvalidArgumentError` for anything
 * else, which the command line reports as a usage error.
 */
export function parseTimeArgument(text: string, nowMs = Date.now()): Date {
  const trimmed = text.trim();
  const relative = /^(\d+)(ms|s|m|h|d|w)$/.exec(trimmed);
  if (relative !== null) {
    const amount = Number(relative[1]);
    const ms = amount * (UNIT_MS[relative[2] as string] as number);
    if (Number.isSafeInteger(ms)) return new Date(nowMs - ms);
  } else {
    const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ]([\d:.]+)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(trimmed);
    if (iso !== null) {
      const [, day, time, zone] = iso;
      const date = new Date(time === undefined ? `${day}T00:00:00Z` : `${day}T${time}${zone ?? 'Z'}`);
      if (!Number.isNaN(date.getTime())) return date;
    }
  }
  throw new InvalidOptionError('expected an ISO time (2026-11-30T07:00:00Z; UTC unless it has an offset) or a duration ago (30m, 1h, 2d)');
}
