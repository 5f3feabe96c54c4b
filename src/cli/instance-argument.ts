import type { Command } from 'commander';
import type { WorkflowInstanceRef } from '../core/instance.js';

/** `--execution <id>`: the commands that take an instance id name one execution of it with this option. */
export function withExecutionOption(command: Command): Command {
  return command.option('--execution <executionId>', 'one execution of the instance (default: its latest)');
}

/** The instance the arguments name: `{ instanceId }`, or one execution of it with `--execution`. */
export function instanceRef(instanceId: string, executionId: string | undefined): WorkflowInstanceRef {
  return executionId === undefined ? { instanceId } : { instanceId, executionId };
}
