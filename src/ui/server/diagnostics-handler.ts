import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '../../client/client.js';
import { InvalidArgumentError } from '../../errors/errors.js';
import { isHostAllowed, parseAllowedHosts } from './allowed-hosts.js';
import { ApiError } from './api-errors.js';
import { instanceRef, instanceRoute, listInstancesRoute, queuesRoute, signalRoute } from './api-routes.js';
import { readJsonBody, sendError, sendJson } from './http-io.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

/** What a request to the diagnostics UI does, as `authorize` is asked about it. */
export type DiagnosticsAction = 'read' | 'signal' | 'cancel' | 'remove';

/** Options of `createDiagnosticsHandler`. */
export interface DiagnosticsHandlerOptions {
  /** The client the UI reads and acts through. */
  client: Client;
  /** Refuse signal, cancel and remove (403 `READ_ONLY`) and hide their buttons. @default false */
  readOnly?: boolean;
  /**
   * The path the UI is mounted under, e.g. `'/ops/workflows'`: starts with `/`, no trailing `/`; `''` for the
   * root. Requests outside it go to `next` when one is given, else get a 404. @default ''
   */
  basePath?: string;
  /**
   * Asked before every request is answered (the page and its files and API reads with `'read'`, actions with
   * their name): resolve true to allow it; false answers 403 `FORBIDDEN`. A rejection answers 500. Read-only
   * mode refuses actions before asking. @default every request allowed
   */
  authorize?: (req: IncomingMessage, action: DiagnosticsAction) => boolean | Promise<boolean>;
  /** How often the open pages refresh their data, in ms (at least 200). @default 1000 */
  pollIntervalMs?: number;
  /**
   * The host names the UI answers to, as the request's `Host` header gives them: each a name or IP address, with
   * or without `:port` (`'localhost:8233'`, `'ops.example.com'`, `'[::1]:8233'`); without a port, every port is
   * allowed, and a `Host` without a port counts as port 80. Any other request under `basePath` (a missing `Host`
   * too) answers 403 `HOST_NOT_ALLOWED` before `authorize` is asked. This is what stops DNS rebinding: a page of
   * another site whose name resolves to the UI's address sends its own name as `Host`. Set it when the UI is
   * reachable without authentication. @default every host allowed (the server mounting the handler decides)
   */
  allowedHosts?: readonly string[];
}

/**
 * A Node request handler (`http.createServer(handler)`, or middleware with `next`). `next` receives requests
 * outside `basePath`.
 */
export type DiagnosticsHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const DEFAULT_POLL_INTERVAL_MS = 1000;
const MIN_POLL_INTERVAL_MS = 200;

function checkBasePath(basePath: unknown): string {
  if (basePath === undefined) return '';
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))) {
    throw new InvalidArgumentError(`basePath must be '' or a path starting with '/' and not ending with '/', got ${JSON.stringify(basePath)}`);
  }
  return basePath;
}

/**
 * The diagnostics web UI and its JSON API (under `<basePath>/api/`) as a request handler for a Node HTTP server:
 * the instance list, each instance's page with its history, and the queues and workers, through `client`.
 * Everything it serves comes from the package (no CDN). See src/ui/README.md for the routes.
 * @throws InvalidArgumentError for a missing client, a bad `basePath`, `pollIntervalMs`, `authorize` or
 *   `allowedHosts` (not an array of host names with optional ports).
 * @throws Error when the UI's files are missing from the installed package.
 */
export function createDiagnosticsHandler(options: DiagnosticsHandlerOptions): DiagnosticsHandler {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('createDiagnosticsHandler needs options { client }');
  const { client, authorize } = options;
  if (typeof client !== 'object' || client === null) throw new InvalidArgumentError('createDiagnosticsHandler needs a client');
  if (authorize !== undefined && typeof authorize !== 'function') throw new InvalidArgumentError('authorize must be a function');
  const basePath = checkBasePath(options.basePath);
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!Number.isSafeInteger(pollIntervalMs) || pollIntervalMs < MIN_POLL_INTERVAL_MS) {
    throw new InvalidArgumentError(`pollIntervalMs must be an integer of at least ${MIN_POLL_INTERVAL_MS} ms, got ${String(pollIntervalMs)}`);
  }
  const allowedHosts = parseAllowedHosts(options.allowedHosts);
  const readOnly = options.readOnly === true;
  const files = loadStaticFiles();
  const settings = { client, readOnly, authorize, pollIntervalMs, files };

  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path !== basePath && !path.startsWith(`${basePath}/`)) {
      if (next !== undefined) next();
      else sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `${path} is not part of the diagnostics UI` } });
      return;
    }
    if (allowedHosts !== undefined && !isHostAllowed(req.headers.host, allowedHosts)) {
      sendError(res, hostNotAllowed(req.headers.host));
      return;
    }
    answer(settings, req, res, path.slice(basePath.length), url).catch((err: unknown) => sendError(res, err));
  };
}

interface Settings {
  client: Client;
  readOnly: boolean;
  authorize: DiagnosticsHandlerOptions['authorize'];
  pollIntervalMs: number;
  files: Map<string, StaticFile>;
}

async function allow(settings: Settings, req: IncomingMessage, action: DiagnosticsAction): Promise<void> {
  if (action !== 'read' && settings.readOnly) throw new ApiError(403, 'READ_ONLY', `the diagnostics UI is read-only: ${action} is switched off`);
  if (settings.authorize !== undefined && (await settings.authorize(req, action)) !== true) {
    throw new ApiError(403, 'FORBIDDEN', `not allowed to ${action}`);
  }
}

function hostNotAllowed(host: string | undefined): ApiError {
  const named = host === undefined ? 'a request without a Host header' : `the host ${JSON.stringify(host)}`;
  return new ApiError(403, 'HOST_NOT_ALLOWED', `the diagnostics UI does not answer ${named}; allow it with allowedHosts (redflow ui --allowed-host)`);
}

function methodNotAllowed(method: string | undefined, path: string): ApiError {
  return new ApiError(405, 'METHOD_NOT_ALLOWED', `${method ?? '?'} is not allowed on ${path}`);
}

/** Answers a request whose path below the mount point is `path` (`''`, `/`, `/api/...`, `/assets/...`). */
async function answer(settings: Settings, req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '') {
    // The page loads its files and API by relative URLs: they need the trailing slash.
    await allow(settings, req, 'read');
    res.writeHead(308, { location: `${url.pathname}/${url.search}` });
    res.end();
    return;
  }
  if (!path.startsWith('/api/')) {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, path);
    const file = settings.files.get(path === '/' ? 'index.html' : path.slice(1));
    if (file === undefined) throw new ApiError(404, 'NOT_FOUND', `no file ${path} in the diagnostics UI`);
    await allow(settings, req, 'read');
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': file.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // The page has action buttons: only pages of the same site may frame it (against clickjacking).
      'x-frame-options': 'SAMEORIGIN',
    });
    res.end(method === 'HEAD' ? undefined : file.body);
    return;
  }
  const segments = path.slice('/api/'.length).split('/').map((segment) => decodeSegment(segment));
  const { client } = settings;
  const [resource, id, verb, ...rest] = segments;
  if (rest.length > 0) throw new ApiError(404, 'NOT_FOUND', `no API route ${path}`);
  if (resource === 'config' && id === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, path);
    await allow(settings, req, 'read');
    sendJson(res, 200, { readOnly: settings.readOnly, pollIntervalMs: settings.pollIntervalMs });
    return;
  }
  if (resource === 'queues' && id === undefined) {
    if (method !== 'GET') throw methodNotAllowed(method, path);
    await allow(settings, req, 'read');
    sendJson(res, 200, await queuesRoute(client));
    return;
  }
  if (resource !== 'instances') throw new ApiError(404, 'NOT_FOUND', `no API route ${path}`);
  if (id === undefined || id === '') {
    if (method !== 'GET') throw methodNotAllowed(method, path);
    await allow(settings, req, 'read');
    sendJson(res, 200, await listInstancesRoute(client, url.searchParams));
    return;
  }
  const ref = instanceRef(id, url.searchParams);
  if (verb === undefined) {
    if (method === 'GET') {
      await allow(settings, req, 'read');
      sendJson(res, 200, await instanceRoute(client, ref));
    } else if (method === 'DELETE') {
      await allow(settings, req, 'remove');
      await client.removeWorkflowInstance(ref);
      sendJson(res, 200, { ok: true });
    } else {
      throw methodNotAllowed(method, path);
    }
    return;
  }
  if (verb !== 'signal' && verb !== 'cancel') throw new ApiError(404, 'NOT_FOUND', `no API route ${path}`);
  if (method !== 'POST') throw methodNotAllowed(method, path);
  await allow(settings, req, verb);
  // A form on another site can POST here without asking (no CORS preflight), but not with a JSON content type.
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `${verb} needs a JSON body with Content-Type: application/json`);
  }
  const body = await readJsonBody(req);
  if (verb === 'signal') {
    sendJson(res, 200, await signalRoute(client, id, body));
  } else {
    await client.cancelWorkflowInstance(ref);
    sendJson(res, 200, { ok: true });
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}
