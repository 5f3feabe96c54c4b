// Signal, cancel and remove buttons of the instance page; absent in read-only mode.
import { useState } from 'preact/hooks';
import { api, ErrorBox } from './api.js';
import { html } from './html.js';

function path(details) {
  const { instanceId, executionId } = details.instance;
  return { id: `instances/${encodeURIComponent(instanceId)}`, query: `?executionId=${encodeURIComponent(executionId)}` };
}

/** The action bar; `onDone(message)` after an action succeeded. */
export function InstanceActions({ details, config, onDone }) {
  const [signalName, setSignalName] = useState('');
  const [signalArg, setSignalArg] = useState('');
  const [confirming, setConfirming] = useState(undefined);
  const [error, setError] = useState(undefined);
  const [busy, setBusy] = useState(false);
  if (config.readOnly) return html`<p class="hint read-only-note">Read-only: signal, cancel and remove are switched off.</p>`;
  const { id, query } = path(details);
  const run = async (what, call) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
      setConfirming(undefined);
      onDone(what);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const signal = (event) => {
    event.preventDefault();
    let arg;
    if (signalArg.trim() !== '') {
      try {
        arg = JSON.parse(signalArg);
      } catch (err) {
        setError({ code: 'BAD_JSON', message: `the argument is not JSON: ${err.message}` });
        return;
      }
    }
    void run(`Signal ${signalName} sent`, () => api(`${id}/signal`, { method: 'POST', body: JSON.stringify(arg === undefined ? { name: signalName } : { name: signalName, arg }) }));
  };
  const active = details.state === 'active';
  const confirmButton = (what, label, call) =>
    confirming === what
      ? html`<button class="danger" disabled=${busy} onClick=${() => run(label, call)}>Confirm ${what}</button>
          <button class="secondary" onClick=${() => setConfirming(undefined)}>Keep</button>`
      : html`<button class="danger" disabled=${busy} onClick=${() => setConfirming(what)}>${what[0].toUpperCase() + what.slice(1)}…</button>`;
  return html`
    <section class="actions">
      ${active
        ? html`<form class="signal" onSubmit=${signal}>
            <input name="signal-name" placeholder="signal name" required value=${signalName} onInput=${(e) => setSignalName(e.currentTarget.value)} />
            <input name="signal-arg" class="mono" placeholder="argument as JSON (optional)" value=${signalArg} onInput=${(e) => setSignalArg(e.currentTarget.value)} />
            <button type="submit" disabled=${busy}>Send signal</button>
          </form>
          ${confirmButton('cancel', 'Cancellation requested', () => api(`${id}/cancel${query}`, { method: 'POST', body: '{}' }))}`
        : confirmButton('remove', 'Removed', () => api(`${id}${query}`, { method: 'DELETE' }))}
      <${ErrorBox} error=${error} />
    </section>`;
}
