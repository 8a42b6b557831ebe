// The team's live task feed: GET /api/v1/r/tasks/events read with fetch (so the request carries the user's token and
// team; EventSource cannot send headers), parsed as Server-Sent Events, resumed with Last-Event-ID after a drop. When
// streaming keeps failing (a proxy that buffers or blocks it), it polls /api/v1/r/tasks/changes instead, and tries
// streaming again now and then.
import { authHeaders, ApiError, api } from './auth.js';

const POLL_MS = 3000;
/** The server replays changes from this far before a resume point; polling asks the same. */
const MARGIN_MS = 60_000;
const STREAM_RETRY_WHILE_POLLING_MS = 30_000;

/** Parses an SSE body into {id, event, data} objects, calling onEvent for each. */
export async function readEvents(body, onEvent, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { id: null, event: 'message', data: [] };
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal?.aborted) return;
      buffer += value;
      let newline;
      while ((newline = buffer.search(/\r?\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer[newline] === '\r' ? 2 : 1));
        if (line === '') {
          if (event.data.length) onEvent({ id: event.id, event: event.event, data: JSON.parse(event.data.join('\n')) });
          event = { id: null, event: 'message', data: [] };
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = value;
          else if (field === 'event') event.event = value;
          else if (field === 'data') event.data.push(value);
        }
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

/**
 * Follows the team's tasks until stop() is called. onEvent gets every event ({id, event, data}); onState gets
 * 'connecting', 'live', 'reconnecting' or 'polling'. `since` (epoch ms) resumes from a moment (the list's load time).
 */
export function watchTeam(team, { since, onEvent, onState }) {
  const stop = new AbortController();
  let lastId = since == null ? null : String(since);
  let failures = 0;

  const deliver = (e) => {
    if (e.id) lastId = e.id;
    onEvent(e);
  };

  async function stream() {
    const headers = { ...(await authHeaders(team)), Accept: 'text/event-stream' };
    if (lastId) headers['Last-Event-ID'] = lastId;
    const response = await fetch('/api/v1/r/tasks/events', { headers, signal: stop.signal, cache: 'no-store' });
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => null);
      throw new ApiError(response.status, body);
    }
    if (!(response.headers.get('Content-Type') ?? '').startsWith('text/event-stream')) throw new Error('not an event stream');
    await readEvents(response.body, (e) => {
      if (e.event === 'ready' || e.event === 'task') {
        failures = 0;
        onState('live');
      }
      deliver(e);
    }, stop.signal);
  }

  async function pollOnce() {
    const from = Math.max(0, Number(lastId ?? Date.now()) - MARGIN_MS);
    const answer = await api(`/api/v1/r/tasks/changes?since=${from}`, { team, signal: stop.signal });
    let newest = Number(lastId ?? 0);
    for (const change of answer.changes) {
      newest = Math.max(newest, change.changed_at_ms);
      onEvent({ id: String(change.changed_at_ms), event: 'task', data: { seq: change.seq, task: change.task } });
    }
    if (newest) lastId = String(newest);
  }

  (async () => {
    onState('connecting');
    while (!stop.signal.aborted) {
      try {
        await stream();
      } catch (e) {
        if (stop.signal.aborted) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || e.status === 404)) {
          onState('failed', e.message);
          return;
        }
      }
      if (stop.signal.aborted) return;
      failures += 1;
      if (failures < 3) {
        onState('reconnecting');
        await sleep(1000 * failures, stop.signal);
        continue;
      }
      // Streaming keeps failing: poll for a while, then try the stream again.
      onState('polling');
      const until = Date.now() + STREAM_RETRY_WHILE_POLLING_MS;
      while (!stop.signal.aborted && Date.now() < until) {
        try {
          await pollOnce();
        } catch (e) {
          if (stop.signal.aborted) return;
        }
        await sleep(POLL_MS, stop.signal);
      }
      failures = 1;
    }
  })();
  return { stop: () => stop.abort() };
}
