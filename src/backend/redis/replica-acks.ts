import { BackendUnavailableError } from '../../errors/errors.js';
import type { ReplicaAcks } from './options.js';
import { isNoScript } from './script-command.js';
import type { RedisClient } from './script-runner.js';

// Replies saying the script was not run on this node (the slot moved, is moving, or the cluster is between
// masters): sending the pipeline again is safe, nothing was written.
const REDIRECTED = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN']);

// As ioredis bounds a command's redirections (its `maxRedirections`) and spaces them (`retryDelayOnMoved`...).
const MAX_REDIRECTIONS = 16;
const REDIRECTION_DELAY_MS = 100;

type Method = (...args: unknown[]) => unknown;

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function replyCode(err: Error): string {
  return err.message.split(' ', 1)[0] ?? '';
}

/**
 * Sends `command` (a script defined on `client`) with `args`, followed by `WAIT replicas timeoutMs` in the
 * same pipeline: on a single Redis both go on its one connection; on a Redis Cluster the pipeline goes to the
 * node serving the script's keys. Resolves with the script's reply once `acks.replicas` replicas acknowledged
 * it. Rejects with the script's error as it is; with `BackendUnavailableError` when fewer replicas
 * acknowledged within `acks.timeoutMs` (the write is applied on the master, but a failover may lose it).
 * A script refused because its slot moved or is moving (MOVED, ASK, TRYAGAIN, CLUSTERDOWN: nothing was run)
 * is sent again, after the slot map is refreshed on MOVED, at most `MAX_REDIRECTIONS` times; then the call
 * fails with `BackendUnavailableError`. A script the node lacks (NOSCRIPT) is sent again at once, with its source.
 * Either way the whole pipeline goes again, so the WAIT always follows the write it waits for.
 */
export async function runWithReplicaAcks(client: RedisClient, command: string, args: unknown[], acks: ReplicaAcks): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const pipeline = client.pipeline();
    const send = (pipeline as unknown as Record<string, Method | undefined>)[command];
    if (send === undefined) throw new Error(`redflow: command ${command} is not defined on this connection`);
    send.apply(pipeline, args);
    pipeline.call('WAIT', acks.replicas, acks.timeoutMs);
    const replies = await pipeline.exec();
    const [scriptReply, waitReply] = replies ?? [];
    if (scriptReply === undefined || waitReply === undefined) throw new BackendUnavailableError('the Redis pipeline of a write and its WAIT was not answered');
    const [scriptError, reply] = scriptReply;
    if (scriptError !== null) {
      // The connection had lost the script (a restart, a failover): nothing ran, and the next pipeline carries
      // the source (LuaScript), ahead of its WAIT.
      if (isNoScript(scriptError) && attempt < MAX_REDIRECTIONS) continue;
      if (!REDIRECTED.has(replyCode(scriptError))) throw scriptError;
      if (attempt >= MAX_REDIRECTIONS) {
        throw new BackendUnavailableError(`the slot of a write kept moving: ${scriptError.message}`, { cause: scriptError });
      }
      if (replyCode(scriptError) === 'MOVED' && 'refreshSlotsCache' in client) client.refreshSlotsCache();
      await sleep(REDIRECTION_DELAY_MS);
      continue;
    }
    const [waitError, acknowledged] = waitReply;
    if (waitError !== null) throw waitError;
    if (Number(acknowledged) < acks.replicas) {
      throw new BackendUnavailableError(
        `a write was applied but only ${String(acknowledged)} of ${acks.replicas} replicas acknowledged it within ${acks.timeoutMs} ms ` +
          '(replicaAcks): a failover may lose it',
      );
    }
    return reply;
  }
}
