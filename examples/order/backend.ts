import { MemoryBackend, RedisBackend, type Backend } from '../../src/index.js';

/** Redis when REDIS_URL is set, otherwise the in-process MemoryBackend. */
export function createBackend(): { backend: Backend; description: string } {
  const url = process.env.REDIS_URL;
  if (url === undefined || url === '') return { backend: new MemoryBackend(), description: 'MemoryBackend (set REDIS_URL to use Redis)' };
  return { backend: new RedisBackend({ redis: url, prefix: process.env.REDFLOW_PREFIX ?? 'redflow-demo' }), description: `Redis at ${url}` };
}
