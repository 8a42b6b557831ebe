// Tasks: the team's task list, kept live by the team stream (stream.js), filterable by status, workflow and time, with
// several tasks cancelled at once; and one task's page, live from its own event stream.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, authHeaders, ApiError } from './auth.js';
import { readEvents, watchTeam } from './stream.js';
import { RunDialog } from './run.js';
import { ErrorLine, StatusBadge, TERMINAL, ago, bytes, can, html, useAction, when } from './ui.js';

const STATUSES = ['pending', 'waiting', 'provisioning', 'queued', 'running', 'completed', 'failed', 'cancelled'];
const PER_PAGE = 50;

/** A task list entry updated by one stream event; null when the event is older than what the entry shows. */
export function applyEvent(task, e) {
  const seq = e.data.seq ?? 0;
  if (task && seq <= (task.last_seq ?? 0)) return null;
  if (e.event === 'task') return { ...e.data.task, last_seq: seq };
  const next = { ...(task ?? {}), id: e.data.task_id, status: e.data.status, last_seq: seq };
  if (!task) {
    Object.assign(next, { workflow_id: e.data.workflow_id, workflow_slug: e.data.workflow_slug, created_at: e.data.created_at, progress: null });
  }
  if (e.event === 'progress') next.progress = e.data.progress;
  if (e.event === 'completed') next.progress = 1;
  if (e.event === 'failed') next.task_error = e.data.error;
  if (e.data.agent_id) next.agent_id = e.data.agent_id;
  return next;
}

function matches(task, filters) {
  if (filters.status && task.status !== filters.status) return false;
  if (filters.workflow_id && task.workflow_id !== filters.workflow_id) return false;
  if (filters.created_from && task.created_at < new Date(filters.created_from).toISOString()) return false;
  if (filters.created_to && task.created_at >= new Date(filters.created_to).toISOString()) return false;
  return true;
}

function LiveState({ state }) {
  const text = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', polling: 'Live (polling)', failed: 'Not live' }[state] ?? state;
  return html`<span class=${`live live-${state}`} role="status" aria-live="polite">${text}</span>`;
}

export function TasksPage({ team, role, workflows }) {
  const [filters, setFilters] = useState({ status: '', workflow_id: '', created_from: '', created_to: '' });
  const [page, setPage] = useState(1);
  const [tasks, setTasks] = useState(null);
  const [total, setTotal] = useState(0);
  const [selected, setSelected] = useState(new Set());
  const [streamState, setStreamState] = useState('connecting');
  const [running, setRunning] = useState(false);
  const [ran, setRan] = useState(null);
  const [error, setError] = useState(null);
  const cancel = useAction();
  const loaded = useRef(false);
  const buffered = useRef([]);

  const apply = (e) => setTasks((list) => {
    if (!list || (e.event !== 'task' && !e.data.task_id)) return list;
    const id = e.event === 'task' ? e.data.task.id : e.data.task_id;
    const index = list.findIndex((t) => t.id === id);
    const next = applyEvent(index < 0 ? null : list[index], e);
    if (!next) return list;
    if (index >= 0) return list.map((t, i) => (i === index ? next : t));
    // A task this page has not shown: a new one goes on top of the first page when it fits the filters.
    if (page !== 1 || !next.created_at || !matches(next, filters)) return list;
    setTotal((n) => n + 1);
    return [next, ...list].slice(0, PER_PAGE);
  });

  // One team stream for as long as the page is open; events wait until the list they update is loaded.
  const applyRef = useRef(apply);
  applyRef.current = apply;
  useEffect(() => {
    const feed = watchTeam(team, {
      onEvent: (e) => (loaded.current ? applyRef.current(e) : buffered.current.push(e)),
      onState: setStreamState,
    });
    return () => feed.stop();
  }, [team]);

  useEffect(() => {
    const controller = new AbortController();
    loaded.current = false;
    const query = new URLSearchParams({ per_page: PER_PAGE, current_page: page });
    for (const [k, v] of Object.entries(filters)) {
      if (v) query.set(k, k.startsWith('created') ? new Date(v).toISOString() : v);
    }
    setError(null);
    api(`/api/v1/r/tasks?${query}`, { team, signal: controller.signal }).then((answer) => {
      setTasks(answer.task_list);
      setTotal(answer.page_meta.total_count);
      loaded.current = true;
      const waiting = buffered.current;
      buffered.current = [];
      waiting.forEach((e) => applyRef.current(e));
    }, (e) => controller.signal.aborted || setError(e));
    return () => controller.abort();
  }, [team, filters, page]);

  const setFilter = (key) => (e) => {
    setPage(1);
    setSelected(new Set());
    setFilters((f) => ({ ...f, [key]: e.target.value }));
  };
  const toggle = (id) => setSelected((s) => {
    const next = new Set(s);
    if (next.has(id)) next.delete(id); else next.add(id);
    return next;
  });
  const cancellable = (tasks ?? []).filter((t) => !TERMINAL.has(t.status));
  const allSelected = cancellable.length > 0 && cancellable.every((t) => selected.has(t.id));
  const cancelSelected = () => cancel.run(async () => {
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => api(`/api/v1/r/tasks/${id}/cancel`, { method: 'POST', team })));
    const failed = results.filter((r) => r.status === 'rejected');
    setSelected(new Set(ids.filter((id, i) => results[i].status === 'rejected')));
    if (failed.length) throw new Error(`${failed.length} of ${ids.length} could not be cancelled: ${failed[0].reason.message}`);
  });
  const slug = useMemo(() => Object.fromEntries(workflows.map((w) => [w.id, w.workflow_slug])), [workflows]);

  return html`<section aria-labelledby="tasks-title">
    <div class="page-head">
      <h1 id="tasks-title">Tasks</h1>
      <${LiveState} state=${streamState} />
      ${can(role, 'run') && html`<button type="button" onClick=${() => setRunning(true)}>Run a workflow</button>`}
    </div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label="Filter tasks">
      <label>Status <select name="status" value=${filters.status} onChange=${setFilter('status')}>
        <option value="">Any</option>${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
      <label>Workflow <select name="workflow" value=${filters.workflow_id} onChange=${setFilter('workflow_id')}>
        <option value="">Any</option>${workflows.map((w) => html`<option value=${w.id}>${w.display_name}</option>`)}</select></label>
      <label>From <input type="datetime-local" name="from" value=${filters.created_from} onChange=${setFilter('created_from')} /></label>
      <label>To <input type="datetime-local" name="to" value=${filters.created_to} onChange=${setFilter('created_to')} /></label>
    </form>
    ${can(role, 'cancel') && html`<div class="bulk">
      <button type="button" class="danger" disabled=${!selected.size || cancel.busy} onClick=${cancelSelected}>
        ${cancel.busy ? 'Cancelling…' : `Cancel selected (${selected.size})`}</button>
      <${ErrorLine} error=${cancel.error} />
    </div>`}
    <${ErrorLine} error=${error} />
    ${ran && html`<p id="ran-task" data-task=${ran} role="status">Task <a href=${`#/tasks/${ran}`} class="mono">${ran.slice(0, 8)}</a> started;
      it shows here as it runs.</p>`}
    ${tasks === null && !error && html`<p class="loading" role="status">Loading tasks…</p>`}
    ${tasks && !tasks.length && html`<p class="empty">No tasks${Object.values(filters).some(Boolean) ? ' match these filters' : ' yet'}.</p>`}
    ${tasks && tasks.length > 0 && html`<div class="table-wrap"><table class="tasks">
      <thead><tr>
        ${can(role, 'cancel') && html`<th scope="col"><input type="checkbox" aria-label="Select every unfinished task" checked=${allSelected}
          onChange=${() => setSelected(allSelected ? new Set() : new Set(cancellable.map((t) => t.id)))} /></th>`}
        <th scope="col">Task</th><th scope="col">Workflow</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Created</th>
      </tr></thead>
      <tbody>${tasks.map((t) => html`<tr key=${t.id} data-task=${t.id} data-status=${t.status}>
        ${can(role, 'cancel') && html`<td><input type="checkbox" aria-label=${`Select task ${t.id.slice(0, 8)}`} disabled=${TERMINAL.has(t.status)}
          checked=${selected.has(t.id)} onChange=${() => toggle(t.id)} /></td>`}
        <td><a href=${`#/tasks/${t.id}`} class="mono">${t.id.slice(0, 8)}</a></td>
        <td>${t.workflow_slug ?? slug[t.workflow_id] ?? ''}</td>
        <td><${StatusBadge} status=${t.status} /></td>
        <td>${t.progress != null && html`<progress max="1" value=${t.progress} aria-label=${`Progress of ${t.id.slice(0, 8)}`}></progress>`}</td>
        <td title=${when(t.created_at)}>${ago(t.created_at)}</td>
      </tr>`)}</tbody>
    </table></div>
    <nav class="pager" aria-label="Pages">
      <button type="button" class="secondary" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Newer</button>
      <span>Page ${page} of ${Math.max(1, Math.ceil(total / PER_PAGE))} · ${total} tasks</span>
      <button type="button" class="secondary" disabled=${page * PER_PAGE >= total} onClick=${() => setPage(page + 1)}>Older</button>
    </nav>`}
    ${running && html`<${RunDialog} team=${team} workflows=${workflows} onClose=${() => setRunning(false)}
      onRan=${(id) => { setRunning(false); setRan(id); }} />`}
  </section>`;
}

/** One task, live: its state and progress, log lines, outputs with fresh links and previews, its error; rerun, cancel. */
export function TaskPage({ team, role, id }) {
  const [task, setTask] = useState(null);
  const [logs, setLogs] = useState([]);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const action = useAction();

  useEffect(() => {
    const stop = new AbortController();
    let lastId = null;
    setTask(null);
    setLogs([]);
    setResult(null);
    (async () => {
      try {
        const first = await api(`/api/v1/r/tasks/${id}`, { team, signal: stop.signal });
        setTask(first);
        setLogs(first.last_logs ?? []);
        // The task's own stream from its next event; resumed after a drop, ended after the terminal event.
        lastId = String(first.last_seq ?? 0);
        for (let attempt = 0; !stop.signal.aborted && !TERMINAL.has(first.status) && attempt < 20; attempt++) {
          try {
            const headers = { ...(await authHeaders(team)), Accept: 'text/event-stream', 'Last-Event-ID': lastId };
            const response = await fetch(`/api/v1/r/tasks/${id}/events`, { headers, signal: stop.signal });
            if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
            let finished = false;
            await readEvents(response.body, (e) => {
              if (e.id) lastId = e.id;
              if (e.event === 'log') setLogs((l) => [...l, ...(e.data.lines ?? [])].slice(-500));
              if (e.event === 'error') return;
              if (e.event === 'preview') {
                // The preview needs the caller's credentials, which an <img> cannot send: fetched, then shown from memory.
                fetch(e.data.url, { headers }).then((r) => (r.ok ? r.blob() : null)).then((blob) => blob
                  && setTask((t) => ({ ...t, preview: URL.createObjectURL(blob) }))).catch(() => {});
                return;
              }
              setTask((t) => ({ ...t, status: e.data.status ?? t.status,
                ...(e.event === 'progress' ? { progress: e.data.progress, progress_info: e.data } : {}),
                ...(e.event === 'completed' ? { progress: 1 } : {}),
                ...(e.event === 'failed' ? { task_error: e.data.error, last_logs: e.data.last_logs } : {}) }));
              if (['completed', 'failed', 'cancelled'].includes(e.event)) finished = true;
            }, stop.signal);
            if (finished) break;
          } catch (e) {
            if (stop.signal.aborted) return;
            if (e instanceof ApiError && e.status < 500) throw e;
            await new Promise((r) => setTimeout(r, 1000 * Math.min(attempt + 1, 5)));
          }
        }
        if (!stop.signal.aborted) setTask(await api(`/api/v1/r/tasks/${id}`, { team, signal: stop.signal }));
      } catch (e) {
        if (!stop.signal.aborted) setError(e);
      }
    })();
    return () => stop.abort();
  }, [team, id]);

  useEffect(() => {
    if (task?.status === 'completed' && !result) {
      api(`/api/v1/r/tasks/${id}/result`, { team }).then(setResult, setError);
    }
  }, [task?.status]);

  if (error) return html`<section><h1>Task</h1><${ErrorLine} error=${error} /><p><a href="#/tasks">Back to the tasks</a></p></section>`;
  if (!task) return html`<p class="loading" role="status">Loading the task…</p>`;
  const rerun = () => action.run(async () => {
    const ran = await api(`/api/v1/r/tasks/${id}/rerun`, { method: 'POST', team });
    location.hash = `#/tasks/${ran.task_id}`;
  });
  const cancel = () => action.run(() => api(`/api/v1/r/tasks/${id}/cancel`, { method: 'POST', team }));
  const files = result?.task_output?.files ?? [];
  return html`<section aria-labelledby="task-title" class="task" data-status=${task.status}>
    <p><a href="#/tasks">← Tasks</a></p>
    <div class="page-head">
      <h1 id="task-title">Task <span class="mono">${task.id.slice(0, 8)}</span></h1>
      <${StatusBadge} status=${task.status} />
      ${can(role, 'cancel') && !TERMINAL.has(task.status) && html`<button type="button" class="danger" disabled=${action.busy} onClick=${cancel}>Cancel</button>`}
      ${can(role, 'run') && TERMINAL.has(task.status) && html`<button type="button" disabled=${action.busy} onClick=${rerun}>Run again</button>`}
    </div>
    <${ErrorLine} error=${action.error} />
    <dl class="facts">
      <dt>Workflow</dt><dd>${task.workflow_slug} v${task.workflow_version}</dd>
      <dt>Created</dt><dd>${when(task.created_at)}</dd>
      ${task.agent_id && html`<dt>Agent</dt><dd>${task.agent_id}${task.gpu_type ? ` (${task.gpu_type})` : ''}</dd>`}
      ${task.started_at && html`<dt>Started</dt><dd>${when(task.started_at)}</dd>`}
      ${task.completed_at && html`<dt>Finished</dt><dd>${when(task.completed_at)}</dd>`}
      <dt>Progress</dt><dd><progress max="1" value=${task.progress ?? 0} aria-label="Progress"></progress>
        ${task.progress_info?.message ? ` ${task.progress_info.message}` : ''}</dd>
    </dl>
    ${task.task_error && html`<div class="failure" role="alert"><h2>Error</h2><p>${task.task_error}</p></div>`}
    ${task.preview && !TERMINAL.has(task.status) && html`<figure class="preview"><img src=${task.preview} alt="Latest preview of the running task" /></figure>`}
    ${files.length > 0 && html`<h2>Outputs</h2><ul class="outputs">${files.map((f) => {
      const url = result.download_urls?.[f.name] ?? result.download_url;
      return html`<li>
        ${f.content_type?.startsWith('image/') && url && html`<img src=${url} alt=${`Output ${f.name}`} loading="lazy" />`}
        <a href=${url} download=${f.name}>${f.name}</a> <span class="hint">${bytes(f.size)}</span>
      </li>`;
    })}</ul>${result.expires_at && html`<p class="hint">Links valid until ${when(result.expires_at)}.</p>`}`}
    <h2>Log</h2>
    <pre class="log" aria-label="Task log" tabindex="0">${logs.length ? logs.map((l) => `${l.text}\n`) : 'No log lines yet.'}</pre>
    <details><summary>Parameters</summary><pre>${JSON.stringify(task.parameters, null, 2)}</pre></details>
  </section>`;
}
