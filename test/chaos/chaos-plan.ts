import type { Client } from '../../src/client/client.js';
import type { WorkflowInstance } from '../../src/core/instance.js';
import { InstanceAlreadyExistsError } from '../../src/errors/errors.js';
import { chainRounds, chaosChain, chaosFamily, chaosSteps, childId } from './chaos-workflows.js';
import { whileUnavailable } from './while-unavailable.js';

/** The kinds of workflow a chaos run mixes. */
export const CHAOS_KINDS = ['steps', 'family', 'chain'] as const;

/** One of `CHAOS_KINDS`. */
export type ChaosKind = (typeof CHAOS_KINDS)[number];

/** One workflow of a chaos run: what the driver starts and what it must return. */
export interface ChaosCase {
  instanceId: string;
  kind: ChaosKind;
  n: number;
  /** The value of the client's `go` signal (family and chain). */
  go: number;
  /**
   * How often the driver sent `go` again after `BackendUnavailableError` (Redis restarting): each of those
   * sends may have been applied as well, so the final execution may have received that many more signals.
   */
  resentSignals?: number;
}

/** The case of workflow `n` of the run: its kind is drawn from `random`. */
export function planCase(runId: string, n: number, random: () => number): ChaosCase {
  const kind = CHAOS_KINDS[Math.floor(random() * CHAOS_KINDS.length)] ?? 'steps';
  return { instanceId: `${runId}-${n}`, kind, n, go: (n % 7) + 1 };
}

/** The exact result the workflow of `c` must return (see the workflows in chaos-workflows.ts). */
export function expectedResult(c: ChaosCase): number {
  const { n, go } = c;
  switch (c.kind) {
    case 'steps':
      return 3 * (n + 1) + n;
    case 'family':
      // Children k = 0, 1 get n + k and add k: they signal back n + 2k each and return twice that.
      return go + 3 * (2 * n + 2);
    case 'chain': {
      const rounds = chainRounds(n);
      return rounds * n + (rounds * (rounds - 1)) / 2 + go;
    }
  }
}

/** An execution whose history the checks read, with the signals its final execution must have received. */
export interface CheckedInstance {
  instanceId: string;
  signals: number;
}

/** The instances `c` creates (itself and its children) and how many signals each final execution receives. */
export function instancesOf(c: ChaosCase): CheckedInstance[] {
  switch (c.kind) {
    case 'steps':
      return [{ instanceId: c.instanceId, signals: 0 }];
    case 'family':
      return [{ instanceId: c.instanceId, signals: 3 }, ...[0, 1].map((k) => ({ instanceId: childId(c.instanceId, k), signals: 1 }))];
    case 'chain':
      return [{ instanceId: c.instanceId, signals: 1 }];
  }
}

/**
 * Creates the workflow of `c`, trying again while Redis is unreachable; when a try that failed had got
 * through after all, the next one finds the instance and answers its id alone.
 */
export async function createCase(client: Client, c: ChaosCase): Promise<WorkflowInstance<number> | { instanceId: string }> {
  return whileUnavailable(async (attempt) => {
    try {
      return await createOnce(client, c);
    } catch (err) {
      if (attempt > 0 && err instanceof InstanceAlreadyExistsError) return { instanceId: c.instanceId };
      throw err;
    }
  });
}

async function createOnce(client: Client, c: ChaosCase): Promise<WorkflowInstance<number>> {
  const options = { instanceId: c.instanceId };
  switch (c.kind) {
    case 'steps':
      return client.createWorkflowInstance(options, chaosSteps, c.n);
    case 'family':
      return client.createWorkflowInstance(options, chaosFamily, c.n);
    case 'chain':
      return client.createWorkflowInstance(options, chaosChain, c.n, 0, 0);
  }
}

/**
 * Sends the client's `go` signal to the workflow of `c` (right after it was created; it may still be in its first
 * execution), again while Redis is unreachable (counted in `c.resentSignals`).
 */
export async function signalCase(client: Client, c: ChaosCase): Promise<void> {
  if (c.kind === 'steps') return;
  await whileUnavailable(async (attempt) => {
    if (attempt > 0) c.resentSignals = (c.resentSignals ?? 0) + 1;
    await client.signalWorkflow(c.instanceId, 'go', c.go);
  });
}
