import type { HistoryEvent } from '../../history/events.js';
import { storeCommand, withClient, writeJson, type CommandRegistration, type StoreCommandOptions } from '../command-context.js';
import { renderTable } from '../format/table.js';
import { compact } from '../format/values.js';
import { instanceRef, withExecutionOption } from '../instance-argument.js';

/** Options of `redflow history`. */
export interface HistoryCommandOptions extends StoreCommandOptions {
  execution?: string;
}

/** One event as `redflow history --json` writes it. */
function eventJson(event: HistoryEvent): Record<string, unknown> {
  return {
    sequenceId: event.sequenceId,
    type: event.type,
    timestamp: event.timestamp,
    scheduleEventId: event.scheduleEventId ?? null,
    attributes: event.attributes,
  };
}

/** `redflow history <instanceId>`: the recorded events of an execution, in order. */
export const registerHistory: CommandRegistration = (program, { output }) => {
  storeCommand(
    withExecutionOption(
      program
        .command('history')
        .summary('print the recorded history of an instance')
        .description('Print the recorded history of a workflow instance, event by event. Exits 1 when the instance is not found.')
        .argument('<instanceId>', 'the instance id'),
    ),
    'to read',
  ).action(async (instanceId: string, options: HistoryCommandOptions) => {
    const history = await withClient(options, (client) => client.getWorkflowInstanceHistory(instanceRef(instanceId, options.execution)));
    if (options.json === true) {
      writeJson(output, history.map(eventJson));
      return;
    }
    if (history.length === 0) {
      output.out('No events yet: its first workflow task has not run.');
      return;
    }
    const rows = history.map((event) => [
      String(event.sequenceId),
      event.timestamp.toISOString(),
      event.type,
      event.scheduleEventId === undefined ? '' : String(event.scheduleEventId),
      Object.keys(event.attributes).length === 0 ? '' : compact(event.attributes, 100),
    ]);
    for (const line of renderTable(['SEQ', 'TIME', 'TYPE', 'ID', 'ATTRIBUTES'], rows)) output.out(line);
  });
};
