import { assertName } from '../core/validation.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { ActivityFunction } from '../workflow/activity.js';
import type { WorkflowFunction } from '../executor/workflow-function.js';

/** Name options of a registration. */
export interface RegistrationOptions {
  /** Registers under this name instead of the function's own name. */
  name?: string;
}

/** The workflows and activities a worker can run, by name. */
export class Registry {
  readonly workflows = new Map<string, WorkflowFunction>();
  readonly activities = new Map<string, ActivityFunction>();

  /** Adds a workflow under `options.name` or the function's name. */
  addWorkflow(fn: WorkflowFunction, options: RegistrationOptions = {}): void {
    if (typeof fn !== 'function') throw new InvalidArgumentError('registerWorkflow expects a function');
    add(this.workflows, 'workflow', options.name ?? fn.name, fn);
  }

  /** Adds an activity function, or every method of an object (bound to it) under its method name. */
  addActivity(target: ActivityFunction | object, options: RegistrationOptions = {}): void {
    if (typeof target === 'function') {
      add(this.activities, 'activity', options.name ?? target.name, target as ActivityFunction);
      return;
    }
    if (typeof target !== 'object' || target === null) {
      throw new InvalidArgumentError('registerActivity expects a function or an object of functions');
    }
    for (const name of methodNames(target)) {
      const method = (target as Record<string, unknown>)[name];
      if (typeof method === 'function') add(this.activities, 'activity', name, (method as ActivityFunction).bind(target));
    }
  }
}

function add<F>(map: Map<string, F>, kind: string, name: string, fn: F): void {
  assertName(name, `${kind} name (pass a named function or { name })`);
  if (map.has(name)) throw new InvalidArgumentError(`a ${kind} named ${name} is already registered`);
  map.set(name, fn);
}

// Own properties plus class methods up the prototype chain (not Object.prototype's).
function methodNames(target: object): Set<string> {
  const names = new Set<string>(Object.keys(target));
  for (let proto = Object.getPrototypeOf(target) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  return names;
}
