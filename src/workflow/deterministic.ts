import { contextInternals, type WorkflowContext } from './context.js';

/** Workflow time: the start time of the current workflow task, identical on replay. */
export function now(ctx: WorkflowContext): Date {
  return contextInternals(ctx).runtime.now();
}

/** A number in [0, 1) from a generator seeded per execution, identical on replay. */
export function random(ctx: WorkflowContext): number {
  return contextInternals(ctx).runtime.random();
}

/** A random (version 4 format) UUID drawn from `random`, identical on replay. */
export function uuid(ctx: WorkflowContext): string {
  const { runtime } = contextInternals(ctx);
  const bytes = new Array<number>(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(runtime.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
