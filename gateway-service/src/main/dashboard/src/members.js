// Members: who is in the team and with which role; admins invite (the invitation link is shown to pass on), change
// roles and remove members; the owner transfers the team. Accepting an invitation is its own page (#/accept/<token>).
import { useEffect, useState } from 'preact/hooks';
import { api } from './auth.js';
import { CopyButton, Dialog, ErrorLine, can, html, useAction, when } from './ui.js';

const ROLES = ['viewer', 'member', 'admin'];

function Invite({ team, onClose, onInvited }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [link, setLink] = useState(null);
  const action = useAction();
  const submit = (e) => {
    e.preventDefault();
    action.run(async () => {
      const invited = await api('/api/v1/invitations', { method: 'POST', team, body: { email_address: email.trim(), invitation_role: role } });
      onInvited();
      setLink(invited.invitation_token ? `${location.origin}/#/accept/${invited.invitation_token}` : '');
    });
  };
  if (link !== null) {
    return html`<${Dialog} title="Invitation created" onClose=${onClose}>
      ${link ? html`<p>Send this link to ${email}; they sign in with that address and join as ${role}:</p>
        <p><code class="secret">${link}</code></p>
        <div class="actions"><${CopyButton} text=${link} label="Copy the link" /><button type="button" onClick=${onClose}>Done</button></div>`
        : html`<p>${email} was sent an invitation by email.</p><div class="actions"><button type="button" onClick=${onClose}>Done</button></div>`}
    <//>`;
  }
  return html`<${Dialog} title="Invite a member" onClose=${onClose}>
    <form onSubmit=${submit}>
      <div class="field"><label for="invite-email">Email address</label>
        <input id="invite-email" type="email" required autocomplete="off" value=${email} onInput=${(e) => setEmail(e.target.value)} /></div>
      <div class="field"><label for="invite-role">Role</label>
        <select id="invite-role" value=${role} onChange=${(e) => setRole(e.target.value)}>${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select></div>
      <${ErrorLine} error=${action.error} />
      <div class="actions"><button type="button" class="secondary" onClick=${onClose}>Cancel</button>
        <button type="submit" disabled=${action.busy}>Invite</button></div>
    </form>
  <//>`;
}

export function MembersPage({ team, role, me }) {
  const [members, setMembers] = useState(null);
  const [invitations, setInvitations] = useState([]);
  const [inviting, setInviting] = useState(false);
  const [error, setError] = useState(null);
  const action = useAction();
  const manage = can(role, 'manage');
  const load = async () => {
    try {
      setMembers((await api('/api/v1/members?per_page=100', { team })).member_list);
      if (manage) setInvitations((await api('/api/v1/invitations?per_page=100', { team })).invitation_list);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => { load(); }, [team]);
  const changeRole = (m, next) => action.run(async () => {
    await api(`/api/v1/members/${m.user_id}`, { method: 'PUT', team, body: { member_role: next } });
    await load();
  });
  const remove = (m) => confirm(`Remove ${m.email_address} from the team?`)
    && action.run(async () => { await api(`/api/v1/members/${m.user_id}`, { method: 'DELETE', team }); await load(); });
  const transfer = (m) => confirm(`Make ${m.email_address} the owner? You become an admin.`)
    && action.run(async () => { await api('/api/v1/teams/current/transfer', { method: 'POST', team, body: { new_owner_id: m.user_id } }); location.reload(); });
  const withdraw = (i) => action.run(async () => { await api(`/api/v1/invitations/${i.id}`, { method: 'DELETE', team }); await load(); });
  return html`<section aria-labelledby="members-title">
    <div class="page-head"><h1 id="members-title">Members</h1>
      ${manage && html`<button type="button" onClick=${() => setInviting(true)}>Invite a member</button>`}</div>
    <${ErrorLine} error=${error ?? action.error} />
    ${members === null ? html`<p class="loading" role="status">Loading members…</p>` : html`<div class="table-wrap"><table>
      <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${members.map((m) => html`<tr key=${m.user_id} data-member=${m.email_address}>
        <td>${m.display_name || m.email_address}<br /><small class="hint">${m.email_address}</small></td>
        <td>${manage && m.member_role !== 'owner' && m.email_address !== me
          ? html`<select aria-label=${`Role of ${m.email_address}`} value=${m.member_role} onChange=${(e) => changeRole(m, e.target.value)}>
              ${ROLES.map((r) => html`<option value=${r}>${r}</option>`)}</select>`
          : m.member_role}</td>
        <td>${when(m.joined_at)}</td>
        <td class="row-actions">
          ${manage && m.member_role !== 'owner' && m.email_address !== me && html`<button type="button" class="link danger" onClick=${() => remove(m)}>Remove</button>`}
          ${can(role, 'transfer') && m.member_role !== 'owner' && html`<button type="button" class="link" onClick=${() => transfer(m)}>Make owner</button>`}
        </td>
      </tr>`)}</tbody></table></div>`}
    ${manage && invitations.length > 0 && html`<h2>Pending invitations</h2><ul class="plain">${invitations.map((i) => html`<li key=${i.id}>
      ${i.email_address} as ${i.invitation_role}, until ${when(i.expires_at)}
      <button type="button" class="link danger" onClick=${() => withdraw(i)}>Withdraw</button></li>`)}</ul>`}
    ${inviting && html`<${Invite} team=${team} onClose=${() => setInviting(false)} onInvited=${load} />`}
  </section>`;
}

/** #/accept/<token>: the signed-in user joins the team the invitation is for. */
export function AcceptPage({ token, onJoined }) {
  const action = useAction();
  const accept = () => action.run(async () => {
    const joined = await api('/api/v1/invitations/accept', { method: 'POST', body: { invitation_token: token } });
    onJoined(joined.team_id);
  });
  return html`<section aria-labelledby="accept-title"><h1 id="accept-title">Join a team</h1>
    <p>You were invited to a Cyberun team. Join it as the account you are signed in with?</p>
    <${ErrorLine} error=${action.error} />
    <button type="button" disabled=${action.busy} onClick=${accept}>Join the team</button>
  </section>`;
}
