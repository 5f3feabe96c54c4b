import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '../../errors/errors.js';
import { createDiagnosticsHandler, type DiagnosticsHandlerOptions } from './diagnostics-handler.js';

/** The default port of `redflow ui` and `startDiagnosticsServer`. */
export const DEFAULT_UI_PORT = 8233;

/** The default interface `startDiagnosticsServer` listens on: loopback only. */
export const DEFAULT_UI_HOST = '127.0.0.1';

/** Options of `startDiagnosticsServer`: the handler's, and where to listen. */
export interface DiagnosticsServerOptions extends DiagnosticsHandlerOptions {
  /** TCP port, 0 for any free one. @default 8233 */
  port?: number;
  /** Interface to listen on (`'0.0.0.0'` for every one). @default '127.0.0.1' */
  host?: string;
}

/** A running diagnostics server. */
export interface DiagnosticsServer {
  /** The UI's address, e.g. `http://127.0.0.1:8233/` (with the base path). */
  readonly url: string;
  /** The port it listens on (the chosen one when started with port 0). */
  readonly port: number;
  /** The Node server, e.g. to add listeners. */
  readonly server: Server;
  /** Stops listening and closes open connections; resolves once closed. Does not close the client. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server with the diagnostics UI (`createDiagnosticsHandler`) on `host`:`port`. Resolves once it
 * listens.
 * @throws InvalidArgumentError for a bad port, and as `createDiagnosticsHandler`.
 * @throws Error (`EADDRINUSE`, `EACCES`, ...) when it cannot listen there.
 */
export async function startDiagnosticsServer(options: DiagnosticsServerOptions): Promise<DiagnosticsServer> {
  const port = options.port ?? DEFAULT_UI_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  const host = options.host ?? DEFAULT_UI_HOST;
  const handler = createDiagnosticsHandler(options);
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actualPort}${options.basePath ?? ''}/`,
    port: actualPort,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err === undefined ? resolve() : reject(err)));
        server.closeAllConnections();
      }),
  };
}
