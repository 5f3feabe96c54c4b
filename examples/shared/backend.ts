import type { Logger } from 'pino';
import { MemoryBackend, RedisBackend, type Backend } from '../../src/index.js';

/** Redis when REDIS_URL is set, otherwise the in-process MemoryBackend; `logger` as the backend's logger option. */
export function createBackend(logger?: Logger): { backend: Backend; description: string } {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') return { backend: new MemoryBackend({ logger }), description: 'MemoryBackend (set REDIS_URL to use Redis)' };
  return { backend: new RedisBackend({ redis: url, prefix: process.env.REDFLOW_PREFIX ?? 'redflow-demo', logger }), description: `Redis at ${url}` };
}
