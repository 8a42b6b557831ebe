// Webhooks (admins): create and edit endpoints that receive task.completed and task.failed, rotate the signing secret,
// and read each delivery with its payload and attempts; resend one.
import { useEffect, useState } from 'preact/hooks';
import { api } from './auth.js';
import { CopyButton, Dialog, ErrorLine, can, html, useAction, when } from './ui.js';

const EVENTS = ['task.completed', 'task.failed'];

function WebhookForm({ team, webhook, onClose, onSaved }) {
  const [form, setForm] = useState({ display_name: webhook?.display_name ?? '', webhook_url: webhook?.webhook_url ?? 'https://',
    webhook_events: webhook?.webhook_events ?? [...EVENTS] });
  const action = useAction();
  const toggle = (event) => setForm((f) => ({ ...f, webhook_events: f.webhook_events.includes(event)
    ? f.webhook_events.filter((e) => e !== event) : [...f.webhook_events, event] }));
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      const saved = await api(webhook ? `/api/v1/webhooks/${webhook.id}` : '/api/v1/webhooks', { method: webhook ? 'PUT' : 'POST', team, body: form });
      onSaved(saved.id);
    });
  };
  return html`<${Dialog} title=${webhook ? 'Edit the webhook' : 'Add a webhook'} onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="field"><label for="hook-name">Name</label><input id="hook-name" required maxlength="255" value=${form.display_name}
        onInput=${(e) => setForm((f) => ({ ...f, display_name: e.target.value }))} /></div>
      <div class="field"><label for="hook-url">URL (https)</label><input id="hook-url" type="url" required value=${form.webhook_url}
        onInput=${(e) => setForm((f) => ({ ...f, webhook_url: e.target.value }))} /></div>
      <fieldset><legend>Events</legend>${EVENTS.map((ev) => html`<div class="map-row">
        <input type="checkbox" id=${`hook-${ev}`} checked=${form.webhook_events.includes(ev)} onChange=${() => toggle(ev)} />
        <label for=${`hook-${ev}`}>${ev}</label></div>`)}</fieldset>
      <${ErrorLine} error=${action.error} />
      <div class="actions"><button type="button" class="secondary" onClick=${onClose}>Cancel</button>
        <button type="submit" disabled=${action.busy}>Save</button></div>
    </form>
  <//>`;
}

function Deliveries({ team, webhook }) {
  const [deliveries, setDeliveries] = useState(null);
  const [open, setOpen] = useState(null);
  const action = useAction();
  const load = () => api(`/api/v1/webhooks/${webhook.id}/deliveries?per_page=50`, { team }).then((r) => setDeliveries(r.delivery_list), action.setError);
  useEffect(() => { load(); }, [webhook.id]);
  const resend = (d) => action.run(async () => { await api(`/api/v1/webhooks/${webhook.id}/deliveries/${d.id}/resend`, { method: 'POST', team }); await load(); });
  return html`<div class="deliveries">
    <div class="page-head"><h3>Deliveries</h3><button type="button" class="link" onClick=${load}>Refresh</button></div>
    <${ErrorLine} error=${action.error} />
    ${deliveries && !deliveries.length && html`<p class="empty">No deliveries yet.</p>`}
    ${deliveries && deliveries.length > 0 && html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Event</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th>
        <th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${deliveries.map((d) => html`<tr key=${d.id} data-delivery=${d.id} data-status=${d.delivery_status}>
        <td>${d.event_type}${d.resend_of ? ' (resent)' : ''}</td><td><a class="mono" href=${`#/tasks/${d.task_id}`}>${d.task_id.slice(0, 8)}</a></td>
        <td>${d.delivery_status}</td><td>${d.attempts}</td><td>${d.last_status_code ?? d.last_error ?? ''}</td><td>${when(d.created_at)}</td>
        <td class="row-actions"><button type="button" class="link" onClick=${() => setOpen(d)}>Payload</button>
          <button type="button" class="link" disabled=${action.busy} onClick=${() => resend(d)}>Resend</button></td>
      </tr>`)}</tbody></table></div>`}
    ${open && html`<${Dialog} title=${`Delivery of ${open.event_type}`} onClose=${() => setOpen(null)} wide>
      <p>${open.attempts} attempts; ${open.next_attempt_at && open.delivery_status === 'pending' ? `next at ${when(open.next_attempt_at)}` : open.delivery_status}.</p>
      <pre class="log" tabindex="0" aria-label="Payload">${JSON.stringify(open.payload, null, 2)}</pre>
    <//>`}
  </div>`;
}

export function WebhooksPage({ team, role }) {
  const [webhooks, setWebhooks] = useState(null);
  const [editing, setEditing] = useState(null);
  const [secret, setSecret] = useState(null);
  const [shown, setShown] = useState(null);
  const action = useAction();
  const load = () => api('/api/v1/webhooks?per_page=100', { team }).then((r) => setWebhooks(r.webhook_list), action.setError);
  useEffect(() => { if (can(role, 'manage')) load(); }, [team]);
  if (!can(role, 'manage')) return html`<section><h1>Webhooks</h1><p>Only admins and the owner manage webhooks.</p></section>`;
  const rotate = (w) => confirm(`Rotate the secret of ${w.display_name}? Receivers must switch to the new one.`)
    && action.run(async () => { setSecret({ name: w.display_name, ...(await api(`/api/v1/webhooks/${w.id}/rotate-secret`, { method: 'POST', team })) }); await load(); });
  const remove = (w) => confirm(`Delete ${w.display_name}?`) && action.run(async () => { await api(`/api/v1/webhooks/${w.id}`, { method: 'DELETE', team }); await load(); });
  return html`<section aria-labelledby="webhooks-title">
    <div class="page-head"><h1 id="webhooks-title">Webhooks</h1><button type="button" onClick=${() => setEditing({})}>Add a webhook</button></div>
    <p class="hint">Each request is signed with the webhook's secret (X-Webhook-Signature) and carries X-Webhook-Delivery, which stays the same across retries.</p>
    <${ErrorLine} error=${action.error} />
    ${webhooks && !webhooks.length && html`<p class="empty">No webhooks yet.</p>`}
    ${(webhooks ?? []).map((w) => html`<article class="card" key=${w.id} data-webhook=${w.display_name}>
      <div class="page-head"><h2>${w.display_name}</h2><span class="badge">${w.webhook_status}</span>
        <button type="button" class="secondary" onClick=${() => setEditing(w)}>Edit</button>
        <button type="button" class="secondary" onClick=${() => rotate(w)}>Rotate secret</button>
        <button type="button" class="link danger" onClick=${() => remove(w)} aria-label=${`Delete ${w.display_name}`}>Delete</button></div>
      <dl class="facts"><dt>URL</dt><dd class="mono">${w.webhook_url}</dd><dt>Events</dt><dd>${(w.webhook_events ?? []).join(', ')}</dd>
        <dt>Secret</dt><dd>${shown === w.id ? html`<code class="secret">${w.webhook_secret}</code>`
          : html`<button type="button" class="link" onClick=${() => setShown(w.id)}>Show</button>`}</dd>
        ${w.last_delivered_at && html`<dt>Last delivered</dt><dd>${when(w.last_delivered_at)}</dd>`}</dl>
      <${Deliveries} team=${team} webhook=${w} />
    </article>`)}
    ${editing && html`<${WebhookForm} team=${team} webhook=${editing.id ? editing : null} onClose=${() => setEditing(null)}
      onSaved=${() => { setEditing(null); load(); }} />`}
    ${secret && html`<${Dialog} title="New secret" onClose=${() => setSecret(null)}>
      <p>The new signing secret of ${secret.name}:</p><p><code class="secret" data-rotated>${secret.webhook_secret}</code></p>
      <div class="actions"><${CopyButton} text=${secret.webhook_secret} label="Copy the secret" /><button type="button" onClick=${() => setSecret(null)}>Done</button></div>
    <//>`}
  </section>`;
}
