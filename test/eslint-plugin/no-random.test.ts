import { noRandom } from '../../src/eslint-plugin/rules/no-random.js';
import { asEslintRule, untypedTester } from './rule-tester.js';

const header = "import type { WorkflowContext } from 'redflow';\n";
const wf = (body: string): string => `${header}export async function wf(ctx: WorkflowContext) { ${body} }`;

untypedTester.run('no-random', asEslintRule(noRandom), {
  valid: [
    'export function activity() { return [Math.random(), crypto.randomUUID()]; }',
    wf('return [workflow.random(ctx), workflow.uuid(ctx)];'),
    wf('return workflow.sideEffect(ctx, () => crypto.randomUUID());'),
    wf('return workflow.sideEffect(ctx, function () { return Math.random(); });'),
    // Hashing is deterministic; only node:crypto's random functions are flagged.
    `import { createHash } from 'node:crypto';\n${wf("return createHash('sha256').update('x').digest('hex');")}`,
    wf('const Math = { random: () => 4 }; return Math.random();'),
  ],
  invalid: [
    { code: wf('return Math.random();'), errors: [{ messageId: 'mathRandom', data: { expression: 'Math.random()' } }] },
    {
      code: wf('return [crypto.randomUUID(), globalThis.crypto.getRandomValues(new Uint8Array(4))];'),
      errors: [
        { messageId: 'uuid', data: { expression: 'crypto.randomUUID()' } },
        { messageId: 'randomBytes', data: { expression: 'globalThis.crypto.getRandomValues()' } },
      ],
    },
    {
      code: `import { randomUUID, randomBytes } from 'node:crypto';\n${wf('return [randomUUID(), randomBytes(8)];')}`,
      errors: [{ messageId: 'uuid' }, { messageId: 'randomBytes' }],
    },
    {
      code: `import crypto from 'crypto';\n${wf('return crypto.randomInt(10);')}`,
      errors: [{ messageId: 'randomBytes', data: { expression: 'crypto.randomInt()' } }],
    },
    {
      code: `const { randomUUID } = require('node:crypto');\n${wf('return randomUUID();')}`,
      errors: [{ messageId: 'uuid' }],
    },
    {
      // Callbacks nested in a sideEffect function are exempt with it; the workflow code around it is not.
      code: wf('return workflow.sideEffect(ctx, () => [1].map(() => Math.random())) && Math.random();'),
      errors: [{ messageId: 'mathRandom', column: 121 }],
    },
    { code: 'export const id = Math.random();', settings: { redflow: { workflowFiles: true } }, errors: [{ messageId: 'mathRandom' }] },
  ],
});
