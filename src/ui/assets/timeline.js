// An execution's history as a timeline: each event's time, the time since the execution's first event and, for answers,
// since what they answer; colour and label by kind (activities, retries, failures, timers, signals, children).
import { useState } from 'preact/hooks';
import { formatDuration, formatTime, Value } from './format.js';
import { html } from './html.js';

const CATEGORY_NAMES = {
  workflow: 'workflow',
  task: 'task',
  activity: 'activity',
  retry: 'retry',
  failure: 'failure',
  timer: 'timer',
  signal: 'signal',
  child: 'child',
  cancel: 'cancel',
  'side-effect': 'side effect',
  patch: 'patch',
};

function isEmpty(attributes) {
  return attributes !== null && typeof attributes === 'object' && Object.keys(attributes).length === 0;
}

function Entry({ entry, pendingIds }) {
  let waited = null;
  if (entry.sinceScheduledMs !== undefined) waited = html`<span class="waited">after ${formatDuration(entry.sinceScheduledMs)} (from #${entry.scheduledBy})</span>`;
  else if (entry.answeredBy !== undefined) waited = html`<span class="waited">answered by #${entry.answeredBy} after ${formatDuration(entry.answeredAfterMs)}</span>`;
  else if (pendingIds.has(entry.sequenceId)) waited = html`<span class="waited pending">pending</span>`;
  return html`
    <li class=${`event cat-${entry.category}`} data-type=${entry.type} data-category=${entry.category} data-sequence-id=${entry.sequenceId}>
      <div class="event-head">
        <span class="seq">#${entry.sequenceId}</span>
        <span class=${`badge cat cat-${entry.category}`}>${CATEGORY_NAMES[entry.category] ?? entry.category}</span>
        <span class="label">${entry.label}</span>
        ${waited}
        <span class="time" title=${entry.timestamp}>${formatTime(entry.timestamp)}</span>
        <span class="delta" title="since the execution's first event">+${formatDuration(entry.sinceStartMs)}</span>
      </div>
      ${isEmpty(entry.attributes)
        ? null
        : html`<details><summary>${entry.type}</summary><${Value} value=${entry.attributes} /></details>`}
    </li>`;
}

/** The timeline of `entries` (see src/ui/server/history-timeline.ts); workflow tasks can be hidden. */
export function Timeline({ entries }) {
  const [showTasks, setShowTasks] = useState(false);
  if (entries.length === 0) return html`<p class="empty">No events yet: its first workflow task has not run.</p>`;
  const pendingIds = new Set(
    entries.filter((entry) => ['ActivityScheduled', 'TimerScheduled', 'SubWorkflowScheduled', 'SignalSent'].includes(entry.type) && entry.answeredBy === undefined).map((entry) => entry.sequenceId),
  );
  const shown = showTasks ? entries : entries.filter((entry) => entry.category !== 'task');
  return html`
    <div class="timeline-tools">
      <label><input type="checkbox" checked=${showTasks} onChange=${(event) => setShowTasks(event.currentTarget.checked)} /> show workflow tasks</label>
      <span class="legend">${Object.entries(CATEGORY_NAMES).map(([key, name]) => html`<span class=${`badge cat cat-${key}`}>${name}</span>`)}</span>
    </div>
    <ol class="timeline">${shown.map((entry) => html`<${Entry} key=${entry.sequenceId} entry=${entry} pendingIds=${pendingIds} />`)}</ol>`;
}
