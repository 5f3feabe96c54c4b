import { ESLintUtils } from '@typescript-eslint/utils';
import { isFromModule, isGlobal, originOf, type Origin } from '../origin.js';
import { WorkflowCode } from '../workflow-code.js';

const CRYPTO = new Set(['crypto']);
// node:crypto functions that draw random bytes or numbers (besides randomUUID).
const RANDOM_BYTES = ['getRandomValues', 'randomBytes', 'randomFill', 'randomFillSync', 'randomInt', 'generatePrime', 'generatePrimeSync'];

type MessageId = 'mathRandom' | 'uuid' | 'randomBytes';

/** Flags random numbers in workflow code: `Math.random()`, `crypto.randomUUID()`, `crypto.getRandomValues()` and node:crypto's random functions. */
export const noRandom = ESLintUtils.RuleCreator.withoutDocs({
  name: 'no-random',
  meta: {
    type: 'problem',
    docs: { description: 'Disallow unseeded randomness in workflow code; use workflow.random(ctx) or workflow.uuid(ctx)' },
    messages: {
      mathRandom:
        '`{{expression}}` draws a different number when the workflow replays. Use `workflow.random(ctx)` (seeded per execution, the same on replay).',
      uuid: '`{{expression}}` draws a different UUID when the workflow replays. Use `workflow.uuid(ctx)` (seeded per execution, the same on replay).',
      randomBytes:
        '`{{expression}}` draws different bytes when the workflow replays. Derive them from `workflow.random(ctx)`, or draw them inside `workflow.sideEffect(ctx, fn)`, which records its result.',
    },
    schema: [],
  },
  create(context) {
    const code = new WorkflowCode(context);
    return {
      CallExpression(node) {
        const messageId = classify(originOf(context, node.callee));
        // A sideEffect function runs once and its result is recorded: drawing random numbers there is what it is for.
        if (messageId && code.kindAt(node) === 'workflow') {
          context.report({ node, messageId, data: { expression: `${context.sourceCode.getText(node.callee)}()` } });
        }
      },
    };
  },
});

function classify(origin: Origin | undefined): MessageId | undefined {
  if (isGlobal(origin, 'Math', 'random')) return 'mathRandom';
  if (isGlobal(origin, 'crypto', 'randomUUID') || isFromModule(origin, CRYPTO, 'randomUUID') || isFromModule(origin, CRYPTO, 'webcrypto', 'randomUUID')) {
    return 'uuid';
  }
  if (isGlobal(origin, 'crypto', 'getRandomValues') || isFromModule(origin, CRYPTO, 'webcrypto', 'getRandomValues')) return 'randomBytes';
  return RANDOM_BYTES.some((name) => isFromModule(origin, CRYPTO, name)) ? 'randomBytes' : undefined;
}
