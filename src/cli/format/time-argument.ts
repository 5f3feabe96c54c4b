import { InvalidArgumentError as InvalidOptionError } from 'commander';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a time option: an ISO 8601 date or time (`2026-11-30`, `2026-11-30T07:00:00Z`; as `Date` reads them, a
 * date alone is midnight UTC and a time without a zone is local time), or a duration ago: a whole number with a unit `ms`, `s`, `m`, `h`, `d` or `w`
 * (`90s`, `15m`, `1h`, `2d`), relative to `nowMs`. Throws commander's `InvalidArgumentError` for anything else,
 * which the command line reports as a usage error.
 */
export function parseTimeArgument(text: string, nowMs = Date.now()): Date {
  const relative = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (relative !== null) {
    const amount = Number(relative[1]);
    const ms = amount * (UNIT_MS[relative[2] as string] as number);
    if (Number.isSafeInteger(ms)) return new Date(nowMs - ms);
  } else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    const date = new Date(text.trim());
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidOptionError('expected an ISO time (2026-11-30T07:00:00Z) or a duration ago (30m, 1h, 2d)');
}
