import { assertEncodable } from '../codec/codec.js';
import { contextInternals, type WorkflowContext } from './context.js';

/**
 * Thrown by `continueAsNew` to end the workflow function. The engine recognises it; workflow code must let it
 * propagate (catching it keeps the execution going).
 */
export class ContinueAsNewRequest extends Error {
  override readonly name = 'ContinueAsNewRequest';
  readonly inputs: unknown[];
  constructor(inputs: unknown[]) {
    super('the workflow continues as new');
    this.inputs = inputs;
  }
}

/** The arguments of the next execution when `thrown` is a `ContinueAsNewRequest`; never throws, whatever was thrown. */
export function continueAsNewInputs(thrown: unknown): unknown[] | undefined {
  try {
    return thrown instanceof ContinueAsNewRequest ? thrown.inputs : undefined;
  } catch {
    // A Proxy whose getPrototypeOf trap throws is no request to continue as new.
    return undefined;
  }
}

/**
 * Ends this execution and starts a fresh one of the same workflow (same instance id, new execution id, empty
 * history) with `args`. Signals this execution did not consume are delivered to the next one.
 */
export function continueAsNew(ctx: WorkflowContext, ...args: unknown[]): never {
  contextInternals(ctx);
  assertEncodable(args, 'arguments of continueAsNew');
  throw new ContinueAsNewRequest(args);
}
