import { RedflowError } from '../../errors/errors.js';

/**
 * The body of every error answer of the diagnostics API: `{ error: { code, message } }`. `code` is a redflow
 * error code (`INSTANCE_NOT_FOUND`, `INVALID_ARGUMENT`, `INSTANCE_NOT_FINISHED`, `BACKEND_UNAVAILABLE`, ...) or
 * one of the API's own: `READ_ONLY`, `FORBIDDEN`, `HOST_NOT_ALLOWED` (the `Host` header is not in `allowedHosts`),
 * `NOT_FOUND` (no such route), `METHOD_NOT_ALLOWED`,
 * `BAD_REQUEST` (unreadable body or parameters), `PAYLOAD_TOO_LARGE`, `UNSUPPORTED_MEDIA_TYPE` (an action posted
 * without `Content-Type: application/json`), `INTERNAL`.
 */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** An error the API answers with `status` and `{ error: { code, message } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** Stable code of the answer (see `ApiErrorBody`). */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** HTTP status of each redflow error code the client calls can throw; other codes answer 500. */
const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  INSTANCE_NOT_FOUND: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  INSTANCE_NOT_FINISHED: 409,
  INSTANCE_ALREADY_EXISTS: 409,
  BACKEND_UNAVAILABLE: 503,
  BACKEND_CLOSED: 503,
  UNDECODABLE_DATA: 500,
};

/** The HTTP status and body for `err` thrown while answering a request. */
export function errorAnswer(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof ApiError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  if (err instanceof RedflowError) {
    return { status: STATUS_OF_CODE[err.code] ?? 500, body: { error: { code: err.code, message: err.message } } };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: { code: 'INTERNAL', message } } };
}
