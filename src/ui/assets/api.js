// Talking to the diagnostics API (relative URLs: the page lives at the handler's mount point), and polling.
import { html } from './html.js';
import { useEffect, useRef, useState } from 'preact/hooks';

/** An answer of the API that is not 2xx: `code` and `message` from its typed JSON error. */
export class ApiFailure extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API at `path` (below api/) and returns its JSON, or throws ApiFailure. */
export async function api(path, init = {}) {
  const headers = init.body === undefined ? {} : { 'content-type': 'application/json' };
  const res = await fetch(`api/${path}`, Object.assign({ headers }, init));
  const text = await res.text();
  let body;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiFailure(res.status, 'BAD_ANSWER', `HTTP ${res.status}: ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw new ApiFailure(res.status, body.error?.code ?? 'HTTP', body.error?.message ?? `HTTP ${res.status}`);
  return body;
}

/** How much less often data that `settled(data)` calls final (a finished instance) is asked for again. */
const SETTLED_SLOWDOWN = 10;

/**
 * `{ data, error, refresh }` of `load()`, called now, whenever `key` changes, and every `intervalMs` after the
 * previous call ended (ten times less often once `settled(data)` is true): live data without a reload. An error
 * keeps the last data and is shown beside it.
 */
export function usePolling(load, key, intervalMs, settled = () => false) {
  const [state, setState] = useState({ data: undefined, error: undefined, key });
  const loadRef = useRef(load);
  loadRef.current = load;
  const settledRef = useRef(settled);
  settledRef.current = settled;
  const tick = useRef(() => {});
  useEffect(() => {
    let stopped = false;
    let timer;
    const run = async () => {
      clearTimeout(timer);
      let delayMs = intervalMs;
      try {
        const data = await loadRef.current();
        if (settledRef.current(data)) delayMs = intervalMs * SETTLED_SLOWDOWN;
        if (!stopped) setState({ data, error: undefined, key });
      } catch (error) {
        if (!stopped) setState((previous) => ({ data: previous.key === key ? previous.data : undefined, error, key }));
      }
      if (!stopped) timer = setTimeout(run, delayMs);
    };
    tick.current = run;
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, intervalMs]);
  const data = state.key === key ? state.data : undefined;
  return { data, error: state.error, refresh: () => tick.current() };
}

/** A red box with an error's message, or nothing. */
export function ErrorBox({ error }) {
  if (error === undefined) return null;
  return html`<p class="error-box" role="alert">${error.code === undefined ? '' : html`<b>${error.code}</b> `}${error.message}</p>`;
}
