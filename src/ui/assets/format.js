// Shared display helpers: times, durations, state badges, links and decoded payloads.
import { html } from './html.js';

/** `iso` as local "YYYY-MM-DD HH:MM:SS.mmm", or '' when absent. */
export function formatTime(iso) {
  if (iso === undefined || iso === null) return '';
  const date = new Date(iso);
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

/** `ms` as "250ms", "1.5s", "2m 5s", "3h 0m", "2d 4h". */
export function formatDuration(ms) {
  if (ms === undefined || ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60000) return `${Math.round(ms / 100) / 10}s`;
  const minutes = Math.floor(ms / 60000);
  if (minutes < 60) return `${minutes}m ${Math.floor((ms % 60000) / 1000)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** A coloured badge for an execution state (or "held", "unknown"). */
export function StateBadge({ state }) {
  const text = state ?? 'unknown';
  return html`<span class=${`badge state-${text}`} data-state=${text}>${text}</span>`;
}

/** The hash route of an instance's page. */
export function instanceHref(instanceId, executionId) {
  const query = executionId === undefined ? '' : `?executionId=${encodeURIComponent(executionId)}`;
  return `#/instances/${encodeURIComponent(instanceId)}${query}`;
}

/** A link to an instance's page. */
export function InstanceLink({ instanceId, executionId, children }) {
  return html`<a href=${instanceHref(instanceId, executionId)}>${children ?? instanceId}</a>`;
}

function isMarker(value, key) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && key in value;
}

/**
 * A JSON-safe payload (see src/ui/server/json-safe.ts) as JavaScript-like text: `12n`, `undefined`,
 * `Date(2024-…)`, `Map { k => v }`, `Set { … }`, `Error(name: message)`.
 */
export function formatValue(value, indent = '') {
  const inner = `${indent}  `;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + formatValue(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (isMarker(value, '$undefined')) return 'undefined';
  if (isMarker(value, '$bigint')) return `${value.$bigint}n`;
  if (isMarker(value, '$number')) return value.$number;
  if (isMarker(value, '$date')) return `Date(${value.$date})`;
  if (isMarker(value, '$regexp')) return value.$regexp;
  if (isMarker(value, '$symbol')) return `Symbol(${value.$symbol})`;
  if (isMarker(value, '$function')) return `[function ${value.$function}]`;
  if (isMarker(value, '$cycle')) return '[circular]';
  if (isMarker(value, '$bytes')) return `${value.$bytes.type}(${value.$bytes.length}) ${value.$bytes.hex}`;
  if (isMarker(value, '$map')) {
    if (value.$map.length === 0) return 'Map {}';
    return `Map {\n${value.$map.map(([k, v]) => `${inner}${formatValue(k, inner)} => ${formatValue(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (isMarker(value, '$set')) return `Set ${formatValue(value.$set, indent)}`;
  if (isMarker(value, '$error')) return `${value.$error.name}: ${value.$error.message}`;
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${formatValue(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** A payload in a <pre>. */
export function Value({ value }) {
  return html`<pre class="value">${formatValue(value)}</pre>`;
}
