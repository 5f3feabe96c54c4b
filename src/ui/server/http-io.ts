import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errorAnswer } from './api-errors.js';

/** Largest request body the API reads, in bytes: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Answers `status` with `body` as JSON, never cached (the page polls for fresh data). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Answers `err` as the API's typed JSON error (see `errorAnswer`). */
export function sendError(res: ServerResponse, err: unknown): void {
  const { status, body } = errorAnswer(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, body);
}

/**
 * The request's body parsed as JSON; `{}` when it is empty.
 * @throws ApiError 413 `PAYLOAD_TOO_LARGE` past `MAX_BODY_BYTES`, 400 `BAD_REQUEST` when it is not JSON.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, 'BAD_REQUEST', `the request body is not JSON: ${(err as Error).message}`);
  }
}
