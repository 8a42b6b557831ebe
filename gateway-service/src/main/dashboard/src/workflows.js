// Workflows: the team's list; import (a full definition, or a ComfyUI API-format graph dropped in, whose literal
// node inputs can be mapped to parameters); one workflow's page: edit, enable or disable, run, and its versions with a
// diff between two and restore.
import { useEffect, useState } from 'preact/hooks';
import { api } from './auth.js';
import { RunDialog } from './run.js';
import { Dialog, ErrorLine, can, html, useAction, when } from './ui.js';

/** Whether a JSON document is a ComfyUI API-format graph: an object of nodes, each with a class_type and inputs. */
export function isComfyGraph(doc) {
  const nodes = Object.values(doc ?? {});
  return nodes.length > 0 && nodes.every((n) => n && typeof n === 'object' && typeof n.class_type === 'string' && n.inputs);
}

/** The literal inputs of a ComfyUI graph (not links to other nodes), as candidate parameters. */
export function graphInputs(graph) {
  const found = [];
  for (const [nodeId, node] of Object.entries(graph)) {
    for (const [field, value] of Object.entries(node.inputs ?? {})) {
      if (Array.isArray(value) || value === null || typeof value === 'object') continue;
      const type = typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : 'string';
      const key = `${field}_${nodeId}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
      found.push({ nodeId, field, value, type, key, title: node._meta?.title ?? node.class_type });
    }
  }
  return found;
}

const slugify = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'workflow';

function ImportDialog({ team, onClose, onImported }) {
  const [definition, setDefinition] = useState(null);
  const [graph, setGraph] = useState(null);
  const [mapped, setMapped] = useState({});
  const [meta, setMeta] = useState({ display_name: '', workflow_slug: '', required_labels: 'gpu, comfyui' });
  const [readError, setReadError] = useState(null);
  const [dragging, setDragging] = useState(false);
  const action = useAction();

  const read = async (file) => {
    setReadError(null);
    try {
      const doc = JSON.parse(await file.text());
      const name = file.name.replace(/\.json$/i, '');
      if (isComfyGraph(doc)) {
        setGraph(doc);
        setDefinition(null);
        setMeta((m) => ({ ...m, display_name: name, workflow_slug: slugify(name) }));
      } else if (doc.workflow_json && doc.workflow_slug) {
        setDefinition(doc);
        setGraph(null);
      } else {
        setReadError(new Error('this is neither a ComfyUI graph in API format (Save (API) in ComfyUI) nor a Cyberun workflow definition'));
      }
    } catch (e) {
      setReadError(new Error(`${file.name} is not readable JSON: ${e.message}`));
    }
  };
  const drop = (e) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer.files[0]) read(e.dataTransfer.files[0]);
  };
  const inputs = graph ? graphInputs(graph) : [];
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      const body = definition ?? {
        workflow_slug: meta.workflow_slug, display_name: meta.display_name, tool_type: 'comfyui', workflow_json: graph,
        required_labels: meta.required_labels.split(',').map((l) => l.trim()).filter(Boolean),
        parameters: inputs.filter((i) => mapped[`${i.nodeId}.${i.field}`]).map((i) => ({
          key: i.key, type: i.type, label: `${i.title}: ${i.field}`, default: i.value, node_id: i.nodeId, field: i.field,
        })),
      };
      const imported = await api('/api/v1/workflows/import', { method: 'POST', team, body });
      onImported(imported.id);
    });
  };
  const setMetaField = (key) => (e) => setMeta((m) => ({ ...m, [key]: e.target.value }));
  return html`<${Dialog} title="Import a workflow" onClose=${onClose} wide>
    <form onSubmit=${submit}>
      <div class=${`dropzone${dragging ? ' dragging' : ''}`} onDragOver=${(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave=${() => setDragging(false)} onDrop=${drop}>
        <p>Drop a ComfyUI workflow saved in API format, or a Cyberun workflow definition (JSON).</p>
        <label for="import-file">Or choose a file</label>
        <input id="import-file" type="file" accept=".json,application/json" onChange=${(e) => e.target.files[0] && read(e.target.files[0])} />
      </div>
      <${ErrorLine} error=${readError} />
      ${definition && html`<p>Definition <strong>${definition.display_name}</strong> (${definition.workflow_slug}), ${(definition.parameters ?? []).length} parameters.
        Importing a slug the team already has saves a new version of it.</p>`}
      ${graph && html`
        <div class="field"><label for="import-name">Name</label>
          <input id="import-name" required maxlength="255" value=${meta.display_name} onInput=${setMetaField('display_name')} /></div>
        <div class="field"><label for="import-slug">Slug</label>
          <input id="import-slug" required pattern="[a-z0-9]+(-[a-z0-9]+)*" maxlength="100" value=${meta.workflow_slug} onInput=${setMetaField('workflow_slug')} /></div>
        <div class="field"><label for="import-labels">Labels an agent needs (comma-separated)</label>
          <input id="import-labels" value=${meta.required_labels} onInput=${setMetaField('required_labels')} /></div>
        <fieldset class="mapping"><legend>Parameters: the inputs people may set when they run it</legend>
          ${inputs.map((i) => {
            const id = `map-${i.nodeId}-${i.field}`;
            return html`<div class="map-row"><input type="checkbox" id=${id} checked=${!!mapped[`${i.nodeId}.${i.field}`]}
              onChange=${(e) => setMapped((m) => ({ ...m, [`${i.nodeId}.${i.field}`]: e.target.checked }))} />
              <label for=${id}>${i.title} (node ${i.nodeId}) · <code>${i.field}</code> = <code>${String(i.value).slice(0, 40)}</code> <span class="hint">${i.type}</span></label></div>`;
          })}
        </fieldset>`}
      <${ErrorLine} error=${action.error} />
      <div class="actions"><button type="button" class="secondary" onClick=${onClose}>Cancel</button>
        <button type="submit" disabled=${(!graph && !definition) || action.busy}>Import</button></div>
    </form>
  <//>`;
}

export function WorkflowsPage({ team, role, workflows, reload }) {
  const [importing, setImporting] = useState(false);
  return html`<section aria-labelledby="workflows-title">
    <div class="page-head"><h1 id="workflows-title">Workflows</h1>
      ${can(role, 'manage') && html`<button type="button" onClick=${() => setImporting(true)}>Import a workflow</button>`}</div>
    ${!workflows.length && html`<p class="empty">No workflows yet.</p>`}
    ${workflows.length > 0 && html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Workflow</th><th scope="col">Slug</th><th scope="col">Version</th><th scope="col">Tool</th><th scope="col">Status</th><th scope="col">Updated</th></tr></thead>
      <tbody>${workflows.map((w) => html`<tr key=${w.id} data-workflow=${w.workflow_slug}>
        <td><a href=${`#/workflows/${w.id}`}>${w.display_name}</a></td><td class="mono">${w.workflow_slug}</td><td>v${w.version}</td>
        <td>${w.tool_type}</td><td>${w.workflow_status}</td><td>${when(w.updated_at)}</td></tr>`)}</tbody>
    </table></div>`}
    ${importing && html`<${ImportDialog} team=${team} onClose=${() => setImporting(false)}
      onImported=${async (id) => { setImporting(false); await reload(); location.hash = `#/workflows/${id}`; }} />`}
  </section>`;
}

/** A line diff of two texts (longest common subsequence): [{kind: ' ' | '-' | '+', line}]. */
export function diffLines(a, b) {
  const x = a.split('\n').slice(0, 3000);
  const y = b.split('\n').slice(0, 3000);
  const n = x.length;
  const m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push({ kind: ' ', line: x[i] }); i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push({ kind: '+', line: y[j] }); j++; }
    else { out.push({ kind: '-', line: x[i] }); i++; }
  }
  return out;
}

const definitionText = (s) => JSON.stringify({ workflow_json: s.workflow_json, parameters: s.workflow_params ?? s.parameters }, null, 2);

function Diff({ team, workflowId, from, to, onClose }) {
  const [lines, setLines] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    Promise.all([from, to].map((s) => api(`/api/v1/workflows/${workflowId}/snapshots/${s.id}`, { team })))
      .then(([a, b]) => setLines(diffLines(definitionText(a), definitionText(b))), setError);
  }, []);
  const changed = lines?.filter((l) => l.kind !== ' ').length ?? 0;
  return html`<${Dialog} title=${`v${from.workflow_version} → v${to.workflow_version}`} onClose=${onClose} wide>
    <${ErrorLine} error=${error} />
    ${lines === null ? html`<p class="loading" role="status">Comparing…</p>` : html`<p>${changed} changed lines.</p>
      <pre class="diff" tabindex="0" aria-label="Differences">${lines.map((l) => html`<span class=${l.kind === '+' ? 'added' : l.kind === '-' ? 'removed' : ''}>${l.kind} ${l.line}\n</span>`)}</pre>`}
  <//>`;
}

export function WorkflowPage({ team, role, id, workflows, reload, navigate }) {
  const [workflow, setWorkflow] = useState(null);
  const [snapshots, setSnapshots] = useState([]);
  const [compare, setCompare] = useState([]);
  const [diff, setDiff] = useState(null);
  const [edit, setEdit] = useState(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState(null);
  const action = useAction();
  const manage = can(role, 'manage');
  const load = async () => {
    try {
      setWorkflow(await api(`/api/v1/r/workflows/${id}`, { team }));
      setSnapshots((await api(`/api/v1/workflows/${id}/snapshots?per_page=50`, { team })).snapshot_list);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => { load(); }, [team, id]);
  if (error) return html`<section><h1>Workflow</h1><${ErrorLine} error=${error} /><p><a href="#/workflows">Back to the workflows</a></p></section>`;
  if (!workflow) return html`<p class="loading" role="status">Loading the workflow…</p>`;
  const after = async () => { await load(); await reload(); };
  const toggle = () => action.run(async () => {
    await api(`/api/v1/workflows/${id}`, { method: 'PUT', team, body: { workflow_status: workflow.workflow_status === 'active' ? 'disabled' : 'active' } });
    await after();
  });
  const restore = (s) => confirm(`Make version ${s.workflow_version} live again? It is saved as a new version; the current one stays in the history.`)
    && action.run(async () => { await api(`/api/v1/workflows/${id}/snapshots/${s.id}/restore`, { method: 'POST', team }); await after(); });
  const save = (e) => {
    e.preventDefault();
    action.run(async () => {
      await api(`/api/v1/workflows/${id}`, { method: 'PUT', team, body: {
        display_name: edit.display_name, description: edit.description,
        required_labels: edit.required_labels.split(',').map((l) => l.trim()).filter(Boolean) } });
      setEdit(null);
      await after();
    });
  };
  const pick = (s) => setCompare((c) => (c.includes(s) ? c.filter((x) => x !== s) : [...c, s].slice(-2)));
  return html`<section aria-labelledby="workflow-title" data-version=${workflow.version}>
    <p><a href="#/workflows">← Workflows</a></p>
    <div class="page-head"><h1 id="workflow-title">${workflow.display_name}</h1>
      <span class="badge">v${workflow.version}</span><span class="badge">${workflow.workflow_status}</span>
      ${can(role, 'run') && workflow.workflow_status === 'active' && html`<button type="button" onClick=${() => setRunning(true)}>Run</button>`}
      ${manage && html`<button type="button" class="secondary" onClick=${() => setEdit({ display_name: workflow.display_name,
        description: workflow.description ?? '', required_labels: (workflow.required_labels ?? []).join(', ') })}>Edit</button>
        <button type="button" class="secondary" disabled=${action.busy} onClick=${toggle}>${workflow.workflow_status === 'active' ? 'Disable' : 'Enable'}</button>`}
    </div>
    <${ErrorLine} error=${action.error} />
    ${workflow.description && html`<p>${workflow.description}</p>`}
    <dl class="facts"><dt>Slug</dt><dd class="mono">${workflow.workflow_slug}</dd><dt>Tool</dt><dd>${workflow.tool_type}</dd>
      <dt>Agent labels</dt><dd>${(workflow.required_labels ?? []).join(', ') || 'any'}</dd><dt>Updated</dt><dd>${when(workflow.updated_at)}</dd></dl>
    <h2>Parameters</h2>
    <div class="table-wrap"><table><thead><tr><th scope="col">Key</th><th scope="col">Type</th><th scope="col">Default</th><th scope="col">Required</th></tr></thead>
      <tbody>${(workflow.parameters ?? []).map((p) => html`<tr key=${p.key}><td class="mono">${p.key}</td><td>${p.type}</td>
        <td>${p.default == null ? '' : String(p.default)}</td><td>${p.required ? 'yes' : 'no'}</td></tr>`)}</tbody></table></div>
    <h2>Versions</h2>
    <p class="hint">Select two versions to compare them.</p>
    <button type="button" class="secondary" disabled=${compare.length !== 2} onClick=${() => setDiff([...compare].sort((a, b) => a.workflow_version - b.workflow_version))}>Compare selected</button>
    <ul class="versions">${snapshots.map((s) => html`<li key=${s.id} data-snapshot-version=${s.workflow_version}>
      <input type="checkbox" id=${`v-${s.id}`} checked=${compare.includes(s)} onChange=${() => pick(s)} />
      <label for=${`v-${s.id}`}>v${s.workflow_version}${s.workflow_version === workflow.version ? ' (live)' : ''} · ${when(s.created_at)}${s.snapshot_note ? ` · ${s.snapshot_note}` : ''}</label>
      ${manage && s.workflow_version !== workflow.version && html`<button type="button" class="link" onClick=${() => restore(s)}
        aria-label=${`Restore version ${s.workflow_version}`}>Restore</button>`}
    </li>`)}</ul>
    ${diff && html`<${Diff} team=${team} workflowId=${id} from=${diff[0]} to=${diff[1]} onClose=${() => setDiff(null)} />`}
    ${edit && html`<${Dialog} title="Edit the workflow" onClose=${() => setEdit(null)}><form onSubmit=${save}>
      <div class="field"><label for="edit-name">Name</label><input id="edit-name" required maxlength="255" value=${edit.display_name}
        onInput=${(e) => setEdit((x) => ({ ...x, display_name: e.target.value }))} /></div>
      <div class="field"><label for="edit-description">Description</label><textarea id="edit-description" maxlength="2000" value=${edit.description}
        onInput=${(e) => setEdit((x) => ({ ...x, description: e.target.value }))}></textarea></div>
      <div class="field"><label for="edit-labels">Labels an agent needs (comma-separated)</label><input id="edit-labels" value=${edit.required_labels}
        onInput=${(e) => setEdit((x) => ({ ...x, required_labels: e.target.value }))} /></div>
      <${ErrorLine} error=${action.error} />
      <div class="actions"><button type="button" class="secondary" onClick=${() => setEdit(null)}>Cancel</button><button type="submit" disabled=${action.busy}>Save</button></div>
    </form><//>`}
    ${running && html`<${RunDialog} team=${team} workflows=${workflows} workflowId=${id} onClose=${() => setRunning(false)}
      onRan=${(task) => navigate(`#/tasks/${task}`)} />`}
  </section>`;
}
