import { noTimers } from '../../src/eslint-plugin/rules/no-timers.js';
import { asEslintRule, untypedTester } from './rule-tester.js';

const header = "import type { WorkflowContext } from 'redflow';\n";
const wf = (body: string): string => `${header}export async function wf(ctx: WorkflowContext) { ${body} }`;

untypedTester.run('no-timers', asEslintRule(noTimers), {
  valid: [
    'export async function activity() { await new Promise((r) => setTimeout(r, 10)); }',
    wf('await workflow.sleep(ctx, 1000); await workflow.scheduleTimer(ctx, 5);'),
    // Microtasks run within the same workflow task, in an order fixed by the code.
    wf('queueMicrotask(() => undefined);'),
    wf('const setTimeout = (f: () => void) => f(); setTimeout(() => undefined);'),
  ],
  invalid: [
    {
      code: wf('await new Promise((resolve) => setTimeout(resolve, 1000));'),
      errors: [{ messageId: 'timer', data: { name: 'setTimeout' } }],
    },
    {
      code: wf('setInterval(() => undefined, 5); setImmediate(() => undefined); globalThis.setTimeout(() => undefined, 1);'),
      errors: [
        { messageId: 'timer', data: { name: 'setInterval' } },
        { messageId: 'timer', data: { name: 'setImmediate' } },
        { messageId: 'timer', data: { name: 'setTimeout' } },
      ],
    },
    {
      code: `import { setTimeout as delay } from 'node:timers/promises';\n${wf('await delay(100);')}`,
      errors: [{ messageId: 'timer', data: { name: 'setTimeout' } }],
    },
    {
      code: `import timers from 'timers';\n${wf('timers.setImmediate(() => undefined);')}`,
      errors: [{ messageId: 'timer', data: { name: 'setImmediate' } }],
    },
    {
      // sideEffect functions must be synchronous: a timer there escapes the recorded result.
      code: wf('return workflow.sideEffect(ctx, () => setTimeout(() => undefined, 1));'),
      errors: [{ messageId: 'timer' }],
    },
  ],
});
