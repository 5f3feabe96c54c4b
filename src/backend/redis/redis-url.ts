/** Redis URLs whose path is the database number (ioredis reads `redis://host:port/<db>` so, and `?db=<db>`). */
const DATABASE_URL = /^(rediss?:)?\/\//i;

/**
 * The database a Redis URL names: the number after the host (`redis://host:6379/2`), else its `db` query
 * parameter; `undefined` when it names none (database 0), or when it is not a `redis://`/`rediss://` URL (a
 * socket path, `host:port`), whose path means something else.
 * @throws Error with the reason when the URL cannot be read or its database part is not a database number
 *   (decimal digits): ioredis would select `NaN` or the leading digits, the wrong database.
 */
export function redisUrlDatabase(url: string): number | undefined {
  if (!DATABASE_URL.test(url)) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.startsWith('//') ? `redis:${url}` : url);
  } catch {
    throw new Error('it is not a URL (expected redis://host:port or redis://host:port/<db>)');
  }
  const fromPath = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : undefined;
  const text = fromPath ?? parsed.searchParams.get('db') ?? undefined;
  if (text === undefined) return undefined;
  const where = fromPath === undefined ? 'its db parameter' : 'its database part';
  const db = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(db)) throw new Error(`${where} ${JSON.stringify(text)} is not a database number (expected /0, /1, ...)`);
  return db;
}

/** Why `redisUrlDatabase` refuses `url`, or `undefined` when it does not. */
export function redisUrlProblem(url: string): string | undefined {
  try {
    redisUrlDatabase(url);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** `url` with its password replaced by `***`, for messages and logs. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}
