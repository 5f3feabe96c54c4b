import {
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  SpanStatusCode,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import type { TraceCarrier } from '../core/trace-carrier.js';
import { toFailureInfo } from '../errors/failure-info.js';

/** A tracer and the propagator that writes its contexts into the history and reads them back. */
export class Tracing {
  readonly tracer: Tracer;
  private readonly propagator: TextMapPropagator | undefined;

  /** `propagator` undefined: the global one (`propagation` of @opentelemetry/api), read at each use. */
  constructor(tracer: Tracer, propagator: TextMapPropagator | undefined) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /** The carrier of `span`'s context; undefined when the propagator writes nothing (none is registered). */
  carrierOf(span: Span, parent: Context = ROOT_CONTEXT): TraceCarrier | undefined {
    const carrier: TraceCarrier = {};
    const spanContext = trace.setSpan(parent, span);
    if (this.propagator === undefined) propagation.inject(spanContext, carrier, defaultTextMapSetter);
    else this.propagator.inject(spanContext, carrier, defaultTextMapSetter);
    return Object.keys(carrier).length > 0 ? carrier : undefined;
  }

  /** The context recorded in `carrier` (the root context without one). */
  contextOf(carrier: TraceCarrier | undefined): Context {
    if (carrier === undefined) return ROOT_CONTEXT;
    if (this.propagator === undefined) return propagation.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    return this.propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  }

  /** The caller's active context. */
  active(): Context {
    return context.active();
  }
}

/** Runs `report`; telemetry never breaks the engine, so whatever it throws is dropped. */
export function guard(report: () => void): void {
  try {
    report();
  } catch {
    // A broken exporter or meter must not fail a workflow task.
  }
}

/** Marks `span` failed with `error` (anything thrown), recorded as an exception event. */
export function recordError(span: Span, error: unknown, setStatus = true): void {
  const failure = toFailureInfo(error);
  const exception: { name: string; message: string; stack?: string } = { name: failure.type, message: failure.message };
  if (failure.stack !== undefined) exception.stack = failure.stack;
  span.recordException(exception);
  if (setStatus) span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}
