// The dashboard at /: signs the user in (auth.js), lets them pick one of their teams (the X-Team-ID of every call),
// and routes on the address's fragment: #/tasks, #/tasks/<id>, #/workflows, #/workflows/<id>, #/agents, #/models,
// #/webhooks, #/access, #/members,
// #/accept/<invitation token>. What the role may not do is not offered; what the API refuses shows its error_message.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, session, signOut } from './auth.js';
import { AccessPage } from './access.js';
import { AgentsPage } from './agents.js';
import { ModelsPage } from './models.js';
import { WebhooksPage } from './webhooks.js';
import { AcceptPage, MembersPage } from './members.js';
import { TaskPage, TasksPage } from './tasks.js';
import { WorkflowPage, WorkflowsPage } from './workflows.js';
import { ErrorLine, html } from './ui.js';

const TEAM_KEY = 'cyberun.team';
const SECTIONS = [['tasks', 'Tasks'], ['workflows', 'Workflows'], ['agents', 'Agents'], ['models', 'Models'], ['webhooks', 'Webhooks'],
  ['access', 'Access'], ['members', 'Members']];

function useRoute() {
  const parse = () => (location.hash.replace(/^#\/?/, '') || 'tasks').split('/');
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const changed = () => setRoute(parse());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

function App({ user, initialTeams }) {
  const [teams, setTeams] = useState(initialTeams);
  const [teamId, setTeamId] = useState(() => {
    const saved = localStorage.getItem(TEAM_KEY);
    return initialTeams.some((t) => t.id === saved) ? saved : initialTeams[0]?.id;
  });
  const [workflows, setWorkflows] = useState([]);
  const [error, setError] = useState(null);
  const [section, id] = useRoute();
  const team = teams.find((t) => t.id === teamId);
  const role = team?.member_role;

  const loadWorkflows = () => (teamId
    ? api('/api/v1/r/workflows?per_page=100', { team: teamId }).then((r) => setWorkflows(r.workflow_list), setError)
    : Promise.resolve());
  useEffect(() => { loadWorkflows(); }, [teamId]);
  useEffect(() => {
    document.body.dataset.state = 'ready';
    document.body.dataset.role = role ?? '';
  }, [role]);
  useEffect(() => {
    const name = SECTIONS.find(([s]) => s === section)?.[1] ?? 'Cyberun';
    document.title = `${name} · ${team?.display_name ?? 'Cyberun'}`;
  }, [section, team]);

  const switchTeam = (next) => {
    localStorage.setItem(TEAM_KEY, next);
    setTeamId(next);
    location.hash = '#/tasks';
  };
  const joined = async (joinedTeam) => {
    setTeams((await api('/api/v1/teams')).team_list);
    switchTeam(joinedTeam);
  };
  const navigate = (hash) => { location.hash = hash; };

  let page;
  if (section === 'accept') page = html`<${AcceptPage} token=${id} onJoined=${joined} />`;
  else if (!team) {
    page = html`<section><h1>No team yet</h1><p>You are not a member of any team. Ask a team's owner or an admin to invite
      you, then open the link they send.</p></section>`;
  } else {
    const props = { team: teamId, role, workflows, navigate, reload: loadWorkflows, me: user.email };
    page = {
      tasks: () => (id ? html`<${TaskPage} key=${id} ...${props} id=${id} />` : html`<${TasksPage} ...${props} />`),
      workflows: () => (id ? html`<${WorkflowPage} key=${id} ...${props} id=${id} />` : html`<${WorkflowsPage} ...${props} />`),
      agents: () => html`<${AgentsPage} ...${props} />`,
      models: () => html`<${ModelsPage} ...${props} />`,
      webhooks: () => html`<${WebhooksPage} ...${props} />`,
      access: () => html`<${AccessPage} ...${props} />`,
      members: () => html`<${MembersPage} ...${props} />`,
    }[section]?.() ?? html`<section><h1>Not found</h1><p><a href="#/tasks">Go to the tasks</a></p></section>`;
  }

  return html`
    <a class="skip" href="#main">Skip to the content</a>
    <header class="top">
      <a class="brand" href="#/tasks">Cyberun</a>
      <nav aria-label="Sections"><ul>${SECTIONS.map(([s, label]) => html`<li>
        <a href=${`#/${s}`} aria-current=${section === s ? 'page' : undefined}>${label}</a></li>`)}</ul></nav>
      <div class="account">
        ${teams.length > 0 && html`<label class="sr-only" for="team-switch">Team</label>
          <select id="team-switch" value=${teamId} onChange=${(e) => switchTeam(e.target.value)}>
            ${teams.map((t) => html`<option value=${t.id}>${t.display_name}</option>`)}</select>`}
        ${role && html`<span class="badge role" title="Your role in this team">${role}</span>`}
        <span class="who">${user.email}</span>
        <button type="button" class="link" onClick=${() => signOut()}>Sign out</button>
      </div>
    </header>
    <main id="main" key=${teamId}>
      <${ErrorLine} error=${error} />
      ${page}
    </main>`;
}

async function start() {
  const user = await session();
  const { team_list: teams } = await api('/api/v1/teams');
  const root = document.getElementById('app');
  root.textContent = ''; // the static "Signing you in…" line
  render(html`<${App} user=${user} initialTeams=${teams} />`, root);
}

start().catch((e) => {
  document.body.dataset.state = 'error';
  document.getElementById('app').textContent = '';
  render(html`<main id="main"><h1>Cyberun</h1><p class="error" role="alert">${e.message}</p>
    <p><button type="button" onClick=${() => location.reload()}>Try again</button></p></main>`, document.getElementById('app'));
});
