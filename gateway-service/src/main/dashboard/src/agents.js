// Agents: the team's connected agents, refreshed every few seconds: status, capacity and running tasks, GPUs, what the
// agent runs, and the progress of a model sync.
import { useEffect, useState } from 'preact/hooks';
import { api } from './auth.js';
import { ErrorLine, ago, bytes, html } from './ui.js';

const REFRESH_MS = 3000;

export function AgentsPage({ team }) {
  const [agents, setAgents] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let timer;
    let stopped = false;
    const load = async () => {
      try {
        setAgents((await api('/api/v1/agents?per_page=100', { team })).agent_list);
        setError(null);
      } catch (e) {
        setError(e);
      }
      if (!stopped) timer = setTimeout(load, REFRESH_MS);
    };
    load();
    return () => { stopped = true; clearTimeout(timer); };
  }, [team]);
  return html`<section aria-labelledby="agents-title">
    <div class="page-head"><h1 id="agents-title">Agents</h1><span class="live live-live">Refreshed every ${REFRESH_MS / 1000} s</span></div>
    <p class="hint">An agent connects with an agent key (ak-) from Access and takes the team's tasks whose labels it has.</p>
    <${ErrorLine} error=${error} />
    ${agents === null && !error && html`<p class="loading" role="status">Loading agents…</p>`}
    ${agents && !agents.length && html`<p class="empty">No agent is connected. Create an agent key under Access and start an agent with it.</p>`}
    ${agents && agents.length > 0 && html`<ul class="cards">${agents.map((a) => html`<li class="card" key=${a.agent_id} data-agent=${a.agent_id} data-status=${a.agent_status}>
      <div class="page-head"><h2>${a.agent_id}</h2><span class=${`badge agent-${a.agent_status}`}>${a.agent_status}</span></div>
      <dl class="facts">
        <dt>Capacity</dt><dd>${a.running_count} of ${a.gpu_capacity} running</dd>
        ${a.running_tasks?.length > 0 && html`<dt>Running</dt><dd>${a.running_tasks.map((t) => html`<a class="mono" href=${`#/tasks/${t}`}>${t.slice(0, 8)}</a> `)}</dd>`}
        <dt>Labels</dt><dd>${(a.agent_labels ?? []).join(', ')}</dd>
        ${a.system_stats?.gpu_devices?.length > 0 && html`<dt>GPUs</dt><dd>${a.system_stats.gpu_devices.map((g) => html`<div>
          ${g.device_name}${g.vram_total ? ` · ${bytes(g.vram_total)} (${bytes(g.vram_free)} free)` : ''}</div>`)}</dd>`}
        <dt>Runs</dt><dd>${[a.tool, a.tool_version].filter(Boolean).join(' ') || 'exec'} · agent ${a.agent_version ?? '?'}${a.platform_arch ? ` · ${a.platform_arch}` : ''}</dd>
        ${a.sync_phase && html`<dt>Model sync</dt><dd>${a.sync_phase}${a.sync_detail ? `: ${a.sync_detail}` : ''}
          ${a.sync_percent != null && html` <progress max="100" value=${a.sync_percent} aria-label="Model sync progress"></progress>`}</dd>`}
        <dt>Heartbeat</dt><dd>${ago(a.last_heartbeat)}</dd>
        <dt>Tasks done</dt><dd>${a.tasks_completed}</dd>
      </dl>
    </li>`)}</ul>`}
  </section>`;
}
