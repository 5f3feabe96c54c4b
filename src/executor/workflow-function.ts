import type { WorkflowContext } from '../workflow/context.js';

/** Any function usable as a workflow: its first parameter is the workflow context. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- workflow parameters are user-defined
export type WorkflowFunction = (ctx: WorkflowContext, ...args: any[]) => unknown;
