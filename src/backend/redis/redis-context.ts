import type { WorkflowInstanceState } from '../../core/instance.js';
import type { RedisClient } from './script-runner.js';
import { partitionOf } from './partition.js';

/** What the parts of `RedisBackend` share: the connection, the key prefix and the partition count. */
export interface RedisContext {
  readonly client: RedisClient;
  readonly prefix: string;
  readonly partitions: number;
}

/** The partition `instanceId` lives in under `context`. */
export function partitionIn(context: RedisContext, instanceId: string): number {
  return partitionOf(instanceId, context.partitions);
}

const STATES: ReadonlySet<string> = new Set<WorkflowInstanceState>(['active', 'continued-as-new', 'finished']);

/** True for a state an execution hash may hold. */
export function isExecutionState(value: string): value is WorkflowInstanceState {
  return STATES.has(value);
}

/** The member naming an execution in a partition's indexes; mirrors lua/lib/index-member.lua. */
export function indexMember(instanceId: string, executionId: string): string {
  return `${instanceId}\n${executionId}`;
}

/** Instance and execution id of an index member; undefined when it was not written by `indexMember`. */
export function parseIndexMember(member: string): { instanceId: string; executionId: string } | undefined {
  const at = member.indexOf('\n');
  if (at <= 0 || at === member.length - 1) return undefined;
  return { instanceId: member.slice(0, at), executionId: member.slice(at + 1) };
}
