import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidArgumentError } from '../../errors/errors.js';
import { loopbackHosts, parseAllowedHosts } from './allowed-hosts.js';
import { createDiagnosticsHandler, type DiagnosticsHandler, type DiagnosticsHandlerOptions } from './diagnostics-handler.js';

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
  /**
   * Host names the server answers to besides `localhost`, `127.0.0.1`, `[::1]` and `host`, which it always
   * answers to with the port it listens on (see `DiagnosticsHandlerOptions.allowedHosts` for the form of an
   * entry). A request naming another host answers 403 `HOST_NOT_ALLOWED`: a page of another site cannot reach
   * the UI by DNS rebinding. Add the names users reach it by (`'ops.example.com:8233'`) when it listens on
   * another interface. @default none
   */
  allowedHosts?: readonly string[];
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
 * Starts an HTTP server with the diagnostics UI (`createDiagnosticsHandler`) on `host`:`port`, answering only
 * requests to the loopback names and `allowedHosts` (see `DiagnosticsServerOptions.allowedHosts`). Resolves once
 * it listens.
 * @throws InvalidArgumentError for a bad port or `allowedHosts`, and as `createDiagnosticsHandler`.
 * @throws Error (`EADDRINUSE`, `EACCES`, ...) when it cannot listen there.
 */
export async function startDiagnosticsServer(options: DiagnosticsServerOptions): Promise<DiagnosticsServer> {
  const port = options.port ?? DEFAULT_UI_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`port must be an integer from 0 to 65535, got ${String(port)}`);
  const host = options.host ?? DEFAULT_UI_HOST;
  parseAllowedHosts(options.allowedHosts);
  // The allowed hosts name the port, known only once listening (port 0): no request is read before then.
  let handler: DiagnosticsHandler | undefined;
  const server = createServer((req, res) => {
    if (handler !== undefined) handler(req, res);
    else res.writeHead(503).end('the diagnostics UI is starting');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  try {
    const allowedHosts = [...loopbackHosts(host, actualPort), ...(options.allowedHosts ?? [])];
    handler = createDiagnosticsHandler(Object.assign({}, options, { allowedHosts }));
  } catch (err) {
    server.close();
    throw err;
  }
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
