// Access: the team's keys. Admins create integration (sk-) and agent (ak-) keys (the secret is shown once, with a copy
// button) and revoke any key; device keys come from pairing a device at /desktop/pair.
import { useEffect, useState } from 'preact/hooks';
import { api } from './auth.js';
import { CopyButton, Dialog, ErrorLine, ago, can, html, useAction, when } from './ui.js';

function CreateKey({ team, onClose, onCreated }) {
  const [form, setForm] = useState({ kind: 'integration', display_name: '', role: 'member', expires_in_days: '' });
  const [created, setCreated] = useState(null);
  const action = useAction();
  const set = (key) => (e) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      const body = { kind: form.kind, display_name: form.display_name.trim() };
      if (form.kind === 'integration') body.role = form.role;
      if (form.expires_in_days) body.expires_in_days = Number(form.expires_in_days);
      const key = await api('/api/v1/credentials', { method: 'POST', team, body });
      setCreated(key);
      onCreated();
    });
  };
  if (created) {
    return html`<${Dialog} title="Key created" onClose=${onClose}>
      <p>Copy the secret now: it is shown <strong>only this once</strong>. Anyone holding it acts for the team.</p>
      <p><code class="secret" data-secret>${created.raw_key}</code></p>
      <div class="actions"><${CopyButton} text=${created.raw_key} label="Copy the secret" />
        <button type="button" onClick=${onClose}>Done</button></div>
    <//>`;
  }
  return html`<${Dialog} title="Create a key" onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="field"><label for="key-kind">Kind</label>
        <select id="key-kind" value=${form.kind} onChange=${set('kind')}>
          <option value="integration">Integration (sk-): the API and MCP</option>
          <option value="agent">Agent (ak-): a GPU agent connects with it</option>
        </select></div>
      <div class="field"><label for="key-name">Name</label>
        <input id="key-name" required maxlength="100" value=${form.display_name} onInput=${set('display_name')} placeholder="CI pipeline" /></div>
      ${form.kind === 'integration' && html`<div class="field"><label for="key-role">Role</label>
        <select id="key-role" value=${form.role} onChange=${set('role')}>
          <option value="viewer">viewer: reads</option><option value="member">member: runs and cancels</option>
          <option value="admin">admin: manages the team</option></select></div>`}
      <div class="field"><label for="key-expiry">Expires after (days, empty: never)</label>
        <input id="key-expiry" type="number" min="1" max="3650" value=${form.expires_in_days} onInput=${set('expires_in_days')} /></div>
      <${ErrorLine} error=${action.error} />
      <div class="actions"><button type="button" class="secondary" onClick=${onClose}>Cancel</button>
        <button type="submit" disabled=${action.busy}>Create</button></div>
    </form>
  <//>`;
}

export function AccessPage({ team, role }) {
  const [keys, setKeys] = useState(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState(null);
  const action = useAction();
  const load = () => api('/api/v1/credentials?per_page=100', { team }).then((r) => setKeys(r.credentials), setError);
  useEffect(() => { load(); }, [team]);
  if (!can(role, 'manage')) {
    return html`<section><h1>Access</h1><p>Only admins and the owner manage the team's keys. Pair a device for yourself at
      <a href="/desktop/pair">/desktop/pair</a>.</p></section>`;
  }
  const revoke = (key) => {
    if (!confirm(`Revoke ${key.display_name} (${key.key_prefix}…)? Whatever uses it stops working at once.`)) return;
    action.run(async () => { await api(`/api/v1/credentials/${key.id}`, { method: 'DELETE', team }); await load(); });
  };
  return html`<section aria-labelledby="access-title">
    <div class="page-head"><h1 id="access-title">Access</h1>
      <button type="button" onClick=${() => setCreating(true)}>Create a key</button></div>
    <p class="hint">Devices (the CLI, a desktop app) get their own key when you approve them at <a href="/desktop/pair">/desktop/pair</a>.</p>
    <${ErrorLine} error=${error ?? action.error} />
    ${keys === null ? html`<p class="loading" role="status">Loading keys…</p>` : html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Prefix</th><th scope="col">Role</th>
        <th scope="col">Status</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${keys.map((k) => html`<tr key=${k.id} data-key=${k.key_prefix}>
        <td>${k.display_name}</td><td>${k.kind}</td><td class="mono">${k.key_prefix}</td><td>${k.role ?? ''}</td>
        <td>${k.key_status}</td><td>${k.last_used_at ? ago(k.last_used_at) : 'never'}</td><td>${k.expires_at ? when(k.expires_at) : 'never'}</td>
        <td>${k.key_status === 'active' && html`<button type="button" class="link danger" onClick=${() => revoke(k)}
          aria-label=${`Revoke ${k.display_name}`}>Revoke</button>`}</td>
      </tr>`)}</tbody></table></div>`}
    ${creating && html`<${CreateKey} team=${team} onClose=${() => setCreating(false)} onCreated=${load} />`}
  </section>`;
}
