// The device pairing page (/desktop/pair?user_code=...): the signed-in user approves the code a device shows, for one
// of their teams, with POST /api/v1/desktop/pair/confirm. The page's state is on <body data-state>: signing-in,
// ready, approving, approved or error.
import { api, session, signOut } from './auth.js';

const $ = (id) => document.getElementById(id);

function show(state, text, isError = false) {
  document.body.dataset.state = state;
  $('status').textContent = text;
  $('message').hidden = !isError;
  if (isError) $('message').textContent = text;
}

async function start() {
  const user = await session();
  // Read after the sign-in: it puts the page's own address (with the device's user_code) back.
  const codeFromLink = new URLSearchParams(location.search).get('user_code');
  $('who').textContent = user.email;
  $('sign-out').hidden = false;
  $('sign-out').addEventListener('click', () => signOut());
  if (codeFromLink) $('code').value = codeFromLink;

  const { team_list: teams } = await api('/api/v1/teams');
  if (!teams.length) {
    show('error', 'You are not a member of any team yet: ask a team owner to invite you, then open this link again.', true);
    return;
  }
  for (const team of teams) {
    $('team').append(new Option(`${team.display_name} (${team.member_role})`, team.id));
  }
  $('pair').hidden = false;
  show('ready', codeFromLink ? 'Check that the code matches the one on your device, then approve.' : 'Enter the code shown on your device.');
  $('pair').addEventListener('submit', approve);
}

async function approve(event) {
  event.preventDefault();
  const team = $('team').selectedOptions[0];
  $('approve').disabled = true;
  show('approving', 'Approving…');
  try {
    const deviceName = $('device').value.trim();
    await api('/api/v1/desktop/pair/confirm', {
      method: 'POST', team: team.value,
      body: { user_code: $('code').value.trim(), ...(deviceName ? { device_name: deviceName } : {}) },
    });
    $('pair').hidden = true;
    show('approved', `Approved: the device is paired with ${team.textContent}. You can close this page; the device finishes on its own.`);
  } catch (e) {
    $('approve').disabled = false;
    show('error', e.message, true);
  }
}

start().catch((e) => show('error', `${e.message}`, true));
