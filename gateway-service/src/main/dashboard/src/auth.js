// Sign-in for the dashboard's pages: the OpenID Connect authorization code flow with PKCE (S256) through the public
// client and issuer named in /dashboard/config.json; no secret lives in the browser. Tokens are kept in
// sessionStorage (this tab only), refreshed shortly before they expire, and signing out ends the issuer's session.
const STORE = 'cyberun.auth';
const PENDING = 'cyberun.auth.pending';
let settings;

/** The dashboard's OIDC settings and the issuer's discovery document (fetched once per page). */
export function config() {
  settings ??= (async () => {
    const own = await fetchJson('/dashboard/config.json');
    const discovery = await fetchJson(own.issuer.replace(/\/$/, '') + '/.well-known/openid-configuration');
    return { ...own, discovery };
  })();
  return settings;
}

async function fetchJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error_description ?? body.error_message ?? body.error ?? `${url} answered ${response.status}`);
  }
  return body;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function stored() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE));
  } catch {
    return null;
  }
}

/** The claims of a JWT (read, not verified: the token came straight from the issuer's token endpoint). */
export function claims(jwt) {
  try {
    return JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return {};
  }
}

function redirectUri() {
  return location.origin + location.pathname;
}

/** Leaves for the issuer's sign-in page; the page comes back to this address (with its query) once signed in. */
export async function signIn() {
  const c = await config();
  const verifier = randomString(48);
  const state = randomString();
  const nonce = randomString();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo: location.pathname + location.search + location.hash }));
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const url = new URL(c.discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: c.client_id, redirect_uri: redirectUri(), scope: 'openid profile email',
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(url);
  return new Promise(() => {});
}

async function tokenRequest(params) {
  const c = await config();
  const body = await fetchJson(c.discovery.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: c.client_id, ...params }),
  });
  const tokens = {
    access: body.access_token,
    refresh: body.refresh_token ?? null,
    id: body.id_token ?? stored()?.id ?? null,
    expiresAt: Date.now() + (body.expires_in ?? 60) * 1000,
  };
  sessionStorage.setItem(STORE, JSON.stringify(tokens));
  return tokens;
}

/** Finishes a sign-in when the issuer sent the browser back here with a code; a no-op otherwise. */
async function completeSignIn() {
  const params = new URLSearchParams(location.search);
  if (!params.has('state') || !(params.has('code') || params.has('error'))) return;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  if (!pending || pending.state !== params.get('state')) {
    history.replaceState(null, '', location.pathname);
    throw new Error('this sign-in was not started here (or was already used): sign in again');
  }
  history.replaceState(null, '', pending.returnTo);
  if (params.has('error')) throw new Error(params.get('error_description') ?? params.get('error'));
  const tokens = await tokenRequest({
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(), code_verifier: pending.verifier,
  });
  if (tokens.id && claims(tokens.id).nonce !== pending.nonce) {
    sessionStorage.removeItem(STORE);
    throw new Error('the issuer answered for another sign-in: sign in again');
  }
}

/** A valid access token (refreshed when it expires within 30 s), or null when the user must sign in. */
export async function accessToken() {
  let tokens = stored();
  if (!tokens?.access) return null;
  if (tokens.expiresAt - Date.now() < 30_000) {
    if (!tokens.refresh) return null;
    try {
      tokens = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh });
    } catch {
      sessionStorage.removeItem(STORE);
      return null;
    }
  }
  return tokens.access;
}

/** The signed-in user's token and claims; signs in first (leaving the page) when there is no session. */
export async function session() {
  await completeSignIn();
  const token = await accessToken();
  if (!token) return signIn();
  const id = claims(stored().id ?? token);
  return { token, email: id.email ?? id.preferred_username ?? id.sub, name: id.name ?? id.preferred_username ?? '' };
}

/** Signs out here and at the issuer, then comes back to this page (which asks to sign in again). */
export async function signOut() {
  const c = await config();
  const tokens = stored();
  sessionStorage.removeItem(STORE);
  const end = c.discovery.end_session_endpoint;
  if (!end) {
    location.assign(location.pathname);
    return;
  }
  const url = new URL(end);
  url.search = new URLSearchParams({
    client_id: c.client_id, post_logout_redirect_uri: redirectUri(), ...(tokens?.id ? { id_token_hint: tokens.id } : {}),
  });
  location.assign(url);
}

/** An API answer that was not 2xx, with the API's own message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error_message ?? `the API answered ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** The headers that authenticate a request as the signed-in user, acting in `team` (X-Team-ID) when given. */
export async function authHeaders(team) {
  const token = await accessToken();
  if (!token) return signIn();
  const headers = { Authorization: `Bearer ${token}` };
  if (team) headers['X-Team-ID'] = team;
  return headers;
}

/** Calls the API as the signed-in user, acting in `team` (X-Team-ID) when given; answers the JSON body (null if none). */
export async function api(path, { method = 'GET', body, team, signal } = {}) {
  const headers = await authHeaders(team);
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { error_message: text };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * PUTs a file to a presigned URL with every header the presign answered, reporting progress (0..1). XMLHttpRequest,
 * because fetch cannot report upload progress.
 */
export function upload(url, file, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers ?? {})) {
      // The browser sets Content-Length itself from the body (it is the file's exact size).
      if (name.toLowerCase() !== 'content-length') xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(xhr.getResponseHeader('ETag'))
      : reject(new Error(`the storage refused the upload (HTTP ${xhr.status}); try again`)));
    xhr.onerror = () => reject(new Error('the upload did not reach the storage: check your connection and try again'));
    xhr.send(file);
  });
}
