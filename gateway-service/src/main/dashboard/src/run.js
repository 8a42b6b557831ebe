// The run dialog: a form generated from a workflow's parameters (types, defaults, min/max, select options, required,
// accepted file types), checked as the API checks before it is sent; file parameters are uploaded through a presigned
// URL with a progress bar; the last values are remembered per workflow (in this browser).
import { useEffect, useState } from 'preact/hooks';
import { api, upload } from './auth.js';
import { Dialog, ErrorLine, bytes, html, useAction } from './ui.js';

const REMEMBER = (workflow) => `cyberun.run.${workflow}`;
const MAX_STRING = 100_000;

/** Whether a file fits a parameter's accept list: media types, wildcards (image/*) or name suffixes (.png). */
export function accepts(accept, file) {
  if (!accept?.length) return true;
  const type = (file.type || 'application/octet-stream').toLowerCase();
  const name = file.name.toLowerCase();
  return accept.some((a) => {
    const rule = a.toLowerCase().trim();
    if (rule.startsWith('.')) return name.endsWith(rule);
    if (rule.endsWith('/*')) return type.startsWith(rule.slice(0, -1));
    return type === rule;
  });
}

/** What is wrong with a value for a parameter (the API's own wording), or null. */
export function check(def, value) {
  const empty = value === undefined || value === null || value === '';
  if (empty) return def.required && def.default == null ? 'is required' : null;
  switch (def.type) {
    case 'string': return String(value).length > MAX_STRING ? `must be at most ${MAX_STRING} characters` : null;
    case 'number':
    case 'integer': {
      const n = Number(value);
      if (!Number.isFinite(n)) return 'must be a number';
      if (def.type === 'integer' && !Number.isInteger(n)) return 'must be a whole number';
      if (def.min != null && n < def.min) return `must be at least ${def.min}`;
      if (def.max != null && n > def.max) return `must be at most ${def.max}`;
      return null;
    }
    case 'select': return (def.options ?? []).includes(value) ? null : `must be one of: ${(def.options ?? []).join(', ')}`;
    default: return null;
  }
}

function initialValues(workflow) {
  let remembered = {};
  try {
    remembered = JSON.parse(localStorage.getItem(REMEMBER(workflow.id)) ?? '{}');
  } catch { /* nothing remembered */ }
  const values = {};
  for (const def of workflow.parameters ?? []) {
    if (def.type === 'file') continue; // an uploaded input expires after a day: pick the file again
    if (remembered[def.key] !== undefined) values[def.key] = remembered[def.key];
    else if (def.default != null) values[def.key] = def.default;
    else if (def.type === 'boolean') values[def.key] = false;
  }
  return values;
}

function Field({ def, value, error, onChange, onFile, fileState }) {
  const id = `param-${def.key}`;
  const label = html`<label for=${id}>${def.label || def.key}${def.required ? html` <span class="required" aria-hidden="true">*</span>` : ''}</label>`;
  const described = [def.description ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const common = { id, name: def.key, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described, required: def.required };
  let input;
  switch (def.type) {
    case 'boolean':
      input = html`<input type="checkbox" ...${common} required=${false} checked=${!!value} onChange=${(e) => onChange(e.target.checked)} />`;
      break;
    case 'select':
      input = html`<select ...${common} value=${value ?? ''} onChange=${(e) => onChange(e.target.value)}>
        <option value="">Choose…</option>
        ${(def.options ?? []).map((o) => html`<option value=${o}>${o}</option>`)}
      </select>`;
      break;
    case 'number':
    case 'integer':
      input = html`<input type="number" ...${common} value=${value ?? ''} min=${def.min ?? undefined} max=${def.max ?? undefined}
        step=${def.type === 'integer' ? 1 : 'any'} onInput=${(e) => onChange(e.target.value === '' ? '' : e.target.valueAsNumber)} />`;
      break;
    case 'file':
      input = html`<div class="file">
        <input type="file" ...${common} accept=${(def.accept ?? []).join(',') || undefined} onChange=${(e) => onFile(e.target.files[0])} />
        ${fileState && html`<div class="upload">
          <progress max="1" value=${fileState.progress} aria-label=${`Uploading ${fileState.name}`}></progress>
          <span>${fileState.done ? `Uploaded ${fileState.name} (${bytes(fileState.size)})` : `${Math.round(fileState.progress * 100)} %`}</span>
        </div>`}
      </div>`;
      break;
    default:
      input = String(value ?? '').length > 80 || (def.label ?? def.key).match(/prompt|text|description/i)
        ? html`<textarea ...${common} rows="3" maxlength=${MAX_STRING} value=${value ?? ''} onInput=${(e) => onChange(e.target.value)}></textarea>`
        : html`<input ...${common} maxlength=${MAX_STRING} value=${value ?? ''} onInput=${(e) => onChange(e.target.value)} />`;
  }
  return html`<div class=${`field field-${def.type}`}>
    ${label}${input}
    ${def.description && html`<small id=${`${id}-help`} class="hint">${def.description}</small>`}
    ${error && html`<small id=${`${id}-error`} class="field-error">${error}</small>`}
  </div>`;
}

/** Runs a workflow of the team: pick one (unless given), fill its parameters, run. onRan gets the new task's id. */
export function RunDialog({ team, workflows, workflowId, onClose, onRan }) {
  const [chosen, setChosen] = useState(workflowId ?? workflows.find((w) => w.workflow_status === 'active')?.id ?? '');
  const [workflow, setWorkflow] = useState(null);
  const [values, setValues] = useState({});
  const [files, setFiles] = useState({});
  const [errors, setErrors] = useState({});
  const action = useAction();

  useEffect(() => {
    if (!chosen) return undefined;
    setWorkflow(null);
    // A form that arrives after another workflow was chosen is dropped: it would replace the chosen one's form.
    let current = true;
    action.run(async () => {
      const w = await api(`/api/v1/r/workflows/${chosen}`, { team });
      if (!current) return;
      setWorkflow(w);
      setValues(initialValues(w));
      setFiles({});
      setErrors({});
    });
    return () => { current = false; };
  }, [chosen]);

  const change = (key, value) => {
    setValues((v) => ({ ...v, [key]: value }));
    setErrors((e) => ({ ...e, [key]: null }));
  };

  const pickFile = async (def, file) => {
    if (!file) return;
    if (!accepts(def.accept, file)) {
      setErrors((e) => ({ ...e, [def.key]: `must be ${def.accept.join(' or ')}` }));
      return;
    }
    setErrors((e) => ({ ...e, [def.key]: null }));
    setFiles((f) => ({ ...f, [def.key]: { name: file.name, size: file.size, progress: 0, done: false } }));
    try {
      const presigned = await api('/api/v1/r/files/presign', {
        method: 'POST', team,
        body: { file_name: file.name, file_size: file.size, content_type: file.type || 'application/octet-stream',
          workflow_id: workflow.id, parameter_key: def.key },
      });
      await upload(presigned.upload_url, file, presigned.upload_headers,
        (p) => setFiles((f) => ({ ...f, [def.key]: { ...f[def.key], progress: p } })));
      setFiles((f) => ({ ...f, [def.key]: { ...f[def.key], progress: 1, done: true, fileKey: presigned.file_key } }));
      change(def.key, presigned.file_key);
    } catch (e) {
      setFiles((f) => ({ ...f, [def.key]: undefined }));
      setErrors((x) => ({ ...x, [def.key]: e.message }));
    }
  };

  const submit = async (event) => {
    event.preventDefault();
    if (!workflow || workflow.id !== chosen) return; // the chosen workflow's form is still loading
    const found = {};
    for (const def of workflow.parameters ?? []) {
      const problem = def.type === 'file' && files[def.key] && !files[def.key].done ? 'is still uploading' : check(def, values[def.key]);
      if (problem) found[def.key] = problem;
    }
    setErrors(found);
    if (Object.keys(found).length) {
      document.getElementById(`param-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    const parameters = {};
    for (const def of workflow.parameters ?? []) {
      const v = values[def.key];
      if (v !== undefined && v !== '') parameters[def.key] = v;
    }
    const ran = await action.run(() => api(`/api/v1/r/workflows/${workflow.id}/run`, { method: 'POST', team, body: { parameters } }),
      (e) => {
        // The API's field details point at the parameters it refused.
        const details = {};
        for (const d of e.body?.details ?? []) details[d.field.replace(/^parameters\./, '')] = d.message;
        setErrors(details);
      });
    if (!ran) return;
    const remembered = Object.fromEntries(Object.entries(parameters)
      .filter(([k]) => workflow.parameters.find((d) => d.key === k)?.type !== 'file'));
    localStorage.setItem(REMEMBER(workflow.id), JSON.stringify(remembered));
    onRan(ran.task_id);
  };

  const active = workflows.filter((w) => w.workflow_status === 'active');
  return html`<${Dialog} title=${workflow ? `Run ${workflow.display_name}` : 'Run a workflow'} onClose=${onClose}>
    <form class="run" onSubmit=${submit} novalidate>
      ${!workflowId && html`<div class="field"><label for="run-workflow">Workflow</label>
        <select id="run-workflow" value=${chosen} onChange=${(e) => setChosen(e.target.value)}>
          ${active.map((w) => html`<option value=${w.id}>${w.display_name} (${w.workflow_slug})</option>`)}
        </select></div>`}
      ${!active.length && html`<p class="hint">No active workflow yet: import one under Workflows.</p>`}
      ${workflow && (workflow.parameters ?? []).map((def) => html`<${Field} key=${def.key} def=${def} value=${values[def.key]}
        error=${errors[def.key]} fileState=${files[def.key]} onChange=${(v) => change(def.key, v)} onFile=${(f) => pickFile(def, f)} />`)}
      ${workflow && !(workflow.parameters ?? []).length && html`<p class="hint">This workflow takes no parameters.</p>`}
      <${ErrorLine} error=${action.error} />
      <div class="actions">
        <button type="button" class="secondary" onClick=${onClose}>Cancel</button>
        <button type="submit" disabled=${!workflow || workflow.id !== chosen || action.busy}>${action.busy ? 'Starting…' : 'Run'}</button>
      </div>
    </form>
  <//>`;
}
