// The `redflow/ui` entry point: the diagnostics web UI as a request handler and as a server.
export { ApiError, type ApiErrorBody } from './server/api-errors.js';
export {
  createDiagnosticsHandler,
  type DiagnosticsAction,
  type DiagnosticsHandler,
  type DiagnosticsHandlerOptions,
} from './server/diagnostics-handler.js';
export {
  DEFAULT_UI_HOST,
  DEFAULT_UI_PORT,
  startDiagnosticsServer,
  type DiagnosticsServer,
  type DiagnosticsServerOptions,
} from './server/diagnostics-server.js';
