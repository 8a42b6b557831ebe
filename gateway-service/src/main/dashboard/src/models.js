// Models: files the team's agents sync into ComfyUI's models folder. Admins upload (a presigned PUT, or in parts above
// 64 MiB, with progress; the file's sha256 is computed here and checked by the server), enable or disable, delete.
import { useEffect, useState } from 'preact/hooks';
import { api, upload } from './auth.js';
import { sha256File } from './sha256.js';
import { Dialog, ErrorLine, bytes, can, html, useAction, when } from './ui.js';

export const MULTIPART_FROM = 64 * 1024 * 1024;
const PART_SIZE = 16 * 1024 * 1024;

/** Uploads the model's bytes to the key the presign gave: one PUT, or parts; onProgress(0..1). */
async function uploadBytes(team, presigned, file, onProgress) {
  if (file.size < MULTIPART_FROM) {
    await upload(presigned.upload_url, file, presigned.upload_headers, onProgress);
    return;
  }
  const started = await api('/api/v1/uploads/multipart/initiate', { method: 'POST', team,
    body: { storage_key: presigned.storage_key, file_size: file.size, content_type: 'application/octet-stream', part_size: PART_SIZE } });
  const base = `/api/v1/uploads/multipart/${encodeURIComponent(started.upload_id)}`;
  try {
    const { parts } = await api(`${base}/parts`, { method: 'POST', team, body: {} });
    const done = [];
    let sent = 0;
    for (const part of parts) {
      const offset = (part.part_number - 1) * started.part_size;
      const slice = file.slice(offset, offset + started.part_size);
      const etag = await upload(part.upload_url, slice, part.upload_headers, (p) => onProgress((sent + p * slice.size) / file.size));
      if (!etag) throw new Error('the storage did not expose the part\'s ETag to the page (its CORS settings must expose ETag)');
      sent += slice.size;
      done.push({ part_number: part.part_number, etag });
    }
    await api(`${base}/complete`, { method: 'POST', team, body: { parts: done } });
  } catch (e) {
    await api(base, { method: 'DELETE', team }).catch(() => {});
    throw e;
  }
}

function UploadModel({ team, onClose, onUploaded }) {
  const [file, setFile] = useState(null);
  const [form, setForm] = useState({ display_name: '', model_type: 'checkpoints', model_path: '' });
  const [progress, setProgress] = useState(null);
  const action = useAction();
  const set = (key) => (e) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const pick = (e) => {
    const f = e.target.files[0];
    setFile(f ?? null);
    if (f) setForm((x) => ({ ...x, display_name: x.display_name || f.name, model_path: x.model_path || f.name }));
  };
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      setProgress({ stage: 'Checking the file', value: 0 });
      const hash = await sha256File(file, (p) => setProgress({ stage: 'Checking the file', value: p }));
      const presigned = await api('/api/v1/models/presign', { method: 'POST', team,
        body: { file_name: file.name, file_size: file.size, model_type: form.model_type, model_path: form.model_path } });
      await uploadBytes(team, presigned, file, (p) => setProgress({ stage: 'Uploading', value: p }));
      setProgress({ stage: 'Registering', value: 1 });
      await api('/api/v1/models', { method: 'POST', team, body: { ...form, storage_key: presigned.storage_key, file_size: file.size,
        file_hash: `sha256:${hash}` } });
      onUploaded();
    }, () => setProgress(null));
  };
  return html`<${Dialog} title="Upload a model" onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="field"><label for="model-file">File</label><input id="model-file" type="file" required onChange=${pick} />
        ${file && html`<small class="hint">${bytes(file.size)}${file.size >= MULTIPART_FROM ? ', sent in parts' : ''}</small>`}</div>
      <div class="field"><label for="model-name">Name</label><input id="model-name" required maxlength="255" value=${form.display_name} onInput=${set('display_name')} /></div>
      <div class="field"><label for="model-type">Type (ComfyUI models folder)</label><input id="model-type" required maxlength="50" list="model-types"
        value=${form.model_type} onInput=${set('model_type')} />
        <datalist id="model-types">${['checkpoints', 'loras', 'vae', 'controlnet', 'embeddings', 'upscale_models'].map((t) => html`<option value=${t} />`)}</datalist></div>
      <div class="field"><label for="model-path">Path inside that folder</label><input id="model-path" required maxlength="1024" value=${form.model_path} onInput=${set('model_path')} /></div>
      ${progress && html`<div class="upload"><progress max="1" value=${progress.value} aria-label=${progress.stage}></progress>
        <span id="model-progress">${progress.stage} ${Math.round(progress.value * 100)} %</span></div>`}
      <${ErrorLine} error=${action.error} />
      <div class="actions"><button type="button" class="secondary" onClick=${onClose}>Cancel</button>
        <button type="submit" disabled=${!file || action.busy}>${action.busy ? 'Uploading…' : 'Upload'}</button></div>
    </form>
  <//>`;
}

export function ModelsPage({ team, role }) {
  const [models, setModels] = useState(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState(null);
  const action = useAction();
  const manage = can(role, 'manage');
  const load = () => api('/api/v1/models?per_page=100', { team }).then((r) => setModels(r.model_list), setError);
  useEffect(() => { load(); }, [team]);
  const setStatus = (m, status) => action.run(async () => { await api(`/api/v1/models/${m.id}`, { method: 'PUT', team, body: { model_status: status } }); await load(); });
  const remove = (m) => confirm(`Delete ${m.display_name}? Agents remove it at their next sync.`)
    && action.run(async () => { await api(`/api/v1/models/${m.id}`, { method: 'DELETE', team }); await load(); });
  return html`<section aria-labelledby="models-title">
    <div class="page-head"><h1 id="models-title">Models</h1>
      ${manage && html`<button type="button" onClick=${() => setUploading(true)}>Upload a model</button>`}</div>
    <p class="hint">Active models are synced to every agent of the team; a disabled one is kept but not synced.</p>
    <${ErrorLine} error=${error ?? action.error} />
    ${models === null && !error && html`<p class="loading" role="status">Loading models…</p>`}
    ${models && !models.length && html`<p class="empty">No models yet.</p>`}
    ${models && models.length > 0 && html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Model</th><th scope="col">Where</th><th scope="col">Size</th><th scope="col">Status</th><th scope="col">Added</th>
        <th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${models.map((m) => html`<tr key=${m.id} data-model=${m.display_name} data-status=${m.model_status}>
        <td>${m.display_name}<br /><small class="hint mono">${m.file_hash.slice(0, 19)}…</small></td><td class="mono">${m.model_type}/${m.model_path}</td>
        <td>${bytes(m.file_size)}</td><td>${m.model_status}</td><td>${when(m.created_at)}</td>
        <td class="row-actions">${manage && html`
          <button type="button" class="link" onClick=${() => setStatus(m, m.model_status === 'active' ? 'disabled' : 'active')}>
            ${m.model_status === 'active' ? 'Disable' : 'Enable'}</button>
          <button type="button" class="link danger" onClick=${() => remove(m)} aria-label=${`Delete ${m.display_name}`}>Delete</button>`}</td>
      </tr>`)}</tbody></table></div>`}
    ${uploading && html`<${UploadModel} team=${team} onClose=${() => setUploading(false)} onUploaded=${() => { setUploading(false); load(); }} />`}
  </section>`;
}
