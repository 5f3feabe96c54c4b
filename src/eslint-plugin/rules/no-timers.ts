import { ESLintUtils } from '@typescript-eslint/utils';
import { isFromModule, isGlobal, originOf, type Origin } from '../origin.js';
import { WorkflowCode } from '../workflow-code.js';

const TIMER_FUNCTIONS = ['setTimeout', 'setInterval', 'setImmediate'];
const TIMER_MODULES = new Set(['timers', 'timers/promises']);

/** Flags host timers in workflow code: `setTimeout`, `setInterval`, `setImmediate` (global or from node:timers). */
export const noTimers = ESLintUtils.RuleCreator.withoutDocs({
  name: 'no-timers',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow host timers in workflow code; use workflow.sleep(ctx, ms) or workflow.scheduleTimer(ctx, ms)' },
    messages: {
      timer:
        '`{{name}}` runs on the worker\'s clock, outside the workflow history: it is lost when the worker restarts and does not replay. ' +
        'Use `workflow.sleep(ctx, delayMs)` or `workflow.scheduleTimer(ctx, delayMs)` (durable timers), and `workflow.select` to race a timer against other work.',
    },
    schema: [],
  },
  create(context) {
    const code = new WorkflowCode(context);
    return {
      CallExpression(node) {
        const name = timerName(originOf(context, node.callee));
        // Also inside sideEffect functions: they must be synchronous, so a timer there escapes the recorded result.
        if (name && code.kindAt(node) !== 'other') context.report({ node, messageId: 'timer', data: { name } });
      },
    };
  },
});

function timerName(origin: Origin | undefined): string | undefined {
  return TIMER_FUNCTIONS.find(
    (name) => isGlobal(origin, name) || isFromModule(origin, TIMER_MODULES, name) || isFromModule(origin, TIMER_MODULES, 'promises', name),
  );
}
