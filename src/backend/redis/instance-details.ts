import type { ExecutionOutcome, WorkflowInstanceDetails } from '../backend.js';
import type { WorkflowInstance } from '../../core/instance.js';
import { decodeEvent } from '../../codec/event-codec.js';
import { InstanceNotFoundError } from '../../errors/errors.js';
import { earlierExecutionsOf } from './execution-chains.js';
import { HOLD_FIELDS, holdOf } from './hold-fields.js';
import { executionKey, inboxKey, instancesKey } from './keys.js';
import { indexMember, isExecutionState, partitionIn, type RedisContext } from './redis-context.js';

const FIELDS = ['name', 'queue', 'state', 'createdAt', 'finishedAt', 'historyLength', ...HOLD_FIELDS] as const;

const NEWLINE = 0x0a;

/**
 * `Backend.getWorkflowInstanceDetails` on Redis: one HMGET of the execution hash for its fields and hold, and,
 * for an execution that continues a chain, the chain's ended executions (chains index) ordered by creation
 * (one ZMSCORE) and the outcome of the newest ones until one names this execution as its continuation; for
 * an execution whose history is still empty, the started event at the head of its inbox (one LINDEX).
 */
export class InstanceDetails {
  readonly #context: RedisContext;
  readonly #outcome: (instance: WorkflowInstance) => Promise<ExecutionOutcome | undefined>;

  /** `outcome` reads an execution's last event (`Backend.getWorkflowInstanceOutcome`). */
  constructor(context: RedisContext, outcome: (instance: WorkflowInstance) => Promise<ExecutionOutcome | undefined>) {
    this.#context = context;
    this.#outcome = outcome;
  }

  /** The details of `instance`; `InstanceNotFoundError` when its hash is gone. */
  async read(instance: WorkflowInstance): Promise<WorkflowInstanceDetails> {
    const { client, prefix } = this.#context;
    const p = partitionIn(this.#context, instance.instanceId);
    const values = await client.hmget(executionKey(prefix, p, instance.instanceId, instance.executionId), ...FIELDS);
    const field = (name: (typeof FIELDS)[number]): string | undefined => values[FIELDS.indexOf(name)] ?? undefined;
    const [name, queue, state] = [field('name'), field('queue'), field('state')];
    if (name === undefined || queue === undefined || state === undefined || !isExecutionState(state)) {
      throw new InstanceNotFoundError(instance.instanceId, instance.executionId);
    }
    const createdAt = Number(field('createdAt'));
    const details: WorkflowInstanceDetails = { instance: { ...instance }, name, queue, state, createdAt: new Date(createdAt) };
    const finishedAt = field('finishedAt');
    if (state !== 'active' && finishedAt !== undefined) details.finishedAt = new Date(Number(finishedAt));
    const hold = holdOf(values.slice(FIELDS.indexOf(HOLD_FIELDS[0])));
    if (hold !== undefined) details.hold = hold;
    const continuedFrom = await this.#previous(instance, createdAt);
    if (continuedFrom !== undefined) details.continuedFrom = continuedFrom;
    if (state === 'active' && Number(field('historyLength') ?? 0) === 0) {
      const started = await this.#waitingStart(instance, p);
      if (started !== undefined) details.startedAttributes = started;
    }
    return details;
  }

  /** The attributes of the started event at the head of the inbox of an execution no task has run yet. */
  async #waitingStart(instance: WorkflowInstance, partition: number): Promise<WorkflowInstanceDetails['startedAttributes']> {
    const { client, prefix } = this.#context;
    const entry = await client.lindexBuffer(inboxKey(prefix, partition, instance.instanceId, instance.executionId), 0);
    // An inbox entry is `<event type>\n<encoded event>` (lua/lib/inbox.lua).
    if (entry === null) return undefined;
    const newline = entry.indexOf(NEWLINE);
    if (entry.subarray(0, newline).toString() !== 'WorkflowExecutionStarted') return undefined;
    const event = decodeEvent(entry.subarray(newline + 1), instance);
    return event.type === 'WorkflowExecutionStarted' ? event.attributes : undefined;
  }

  /** The execution that continued as new into `instance` (created at `createdAt`), if any. */
  async #previous(instance: WorkflowInstance, createdAt: number): Promise<WorkflowInstance | undefined> {
    const earlier = await earlierExecutionsOf(this.#context, instance);
    if (earlier.length === 0) return undefined;
    const { client, prefix } = this.#context;
    const key = instancesKey(prefix, partitionIn(this.#context, instance.instanceId));
    const scores = await client.zmscore(key, ...earlier.map((executionId) => indexMember(instance.instanceId, executionId)));
    // Its predecessor was created last before it; executions created in the same millisecond are told apart by
    // their outcome, which names the execution they continued into.
    const newestFirst = earlier
      .map((executionId, i) => ({ executionId, createdAt: Number(scores[i] ?? Number.NaN) }))
      .filter((e) => !Number.isNaN(e.createdAt) && e.createdAt <= createdAt)
      .sort((a, b) => b.createdAt - a.createdAt);
    for (const candidate of newestFirst) {
      const previous = { instanceId: instance.instanceId, executionId: candidate.executionId };
      let outcome: ExecutionOutcome | undefined;
      try {
        outcome = await this.#outcome(previous);
      } catch (err) {
        if (err instanceof InstanceNotFoundError) continue;
        throw err;
      }
      if (outcome?.type === 'WorkflowExecutionContinuedAsNew' && outcome.attributes.continuedExecutionId === instance.executionId) return previous;
    }
    return undefined;
  }
}
