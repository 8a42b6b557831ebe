// The dashboard's logic that needs no browser, under Node's own test runner (the Maven build runs `npm test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Sha256 } from '../src/sha256.js';
import { applyEvent } from '../src/tasks.js';
import { accepts, check } from '../src/run.js';
import { diffLines, graphInputs, isComfyGraph } from '../src/workflows.js';
import { readEvents } from '../src/stream.js';
import { can } from '../src/ui.js';

test('sha256 in chunks equals the one-shot digest at every padding boundary', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 4096, 100_003]) {
    const data = randomBytes(n);
    const hash = new Sha256();
    for (let i = 0; i < n; i += 37) hash.update(data.subarray(i, i + 37));
    assert.equal(hash.hex(), createHash('sha256').update(data).digest('hex'), `${n} bytes`);
  }
});

test('a list entry takes only news newer than what it shows', () => {
  const task = { id: 't', status: 'running', last_seq: 5, progress: 0.5 };
  assert.equal(applyEvent(task, { event: 'status', data: { task_id: 't', status: 'queued', seq: 4 } }), null);
  assert.equal(applyEvent(task, { event: 'progress', data: { task_id: 't', status: 'running', seq: 5, progress: 0.9 } }), null);
  assert.deepEqual(applyEvent(task, { event: 'progress', data: { task_id: 't', status: 'running', seq: 6, progress: 0.75 } }),
    { id: 't', status: 'running', last_seq: 6, progress: 0.75 });
  assert.equal(applyEvent(task, { event: 'completed', data: { task_id: 't', status: 'completed', seq: 9 } }).progress, 1);
  const snapshot = applyEvent(task, { event: 'task', data: { seq: 7, task: { id: 't', status: 'failed', task_error: 'x' } } });
  assert.deepEqual(snapshot, { id: 't', status: 'failed', task_error: 'x', last_seq: 7 });
  const fresh = applyEvent(null, { event: 'status', data: { task_id: 'n', status: 'pending', seq: 1, workflow_slug: 'demo', created_at: '2026-01-01T00:00:00Z' } });
  assert.equal(fresh.workflow_slug, 'demo');
  assert.equal(fresh.last_seq, 1);
});

test('parameters are checked as the API checks them', () => {
  assert.equal(check({ type: 'string', required: true }, ''), 'is required');
  assert.equal(check({ type: 'string', required: true, default: 'x' }, ''), null);
  assert.equal(check({ type: 'integer', min: 1, max: 10 }, 2.5), 'must be a whole number');
  assert.equal(check({ type: 'integer', min: 1, max: 10 }, 11), 'must be at most 10');
  assert.equal(check({ type: 'number', min: 0.5 }, 0.25), 'must be at least 0.5');
  assert.equal(check({ type: 'select', options: ['a', 'b'] }, 'c'), 'must be one of: a, b');
  assert.equal(check({ type: 'select', options: ['a', 'b'] }, 'b'), null);
  assert.ok(accepts(['image/*'], { name: 'x.png', type: 'image/png' }));
  assert.ok(accepts(['.safetensors'], { name: 'M.SafeTensors', type: '' }));
  assert.ok(!accepts(['image/png'], { name: 'x.jpg', type: 'image/jpeg' }));
  assert.ok(accepts([], { name: 'anything', type: '' }));
});

test('roles offer what the API allows', () => {
  assert.ok(!can('viewer', 'run') && !can('viewer', 'cancel'));
  assert.ok(can('member', 'run') && !can('member', 'manage'));
  assert.ok(can('admin', 'manage') && !can('admin', 'transfer'));
  assert.ok(can('owner', 'transfer'));
  assert.ok(!can(undefined, 'run'));
});

test('a ComfyUI graph is recognised and its literal inputs offered as parameters', () => {
  const graph = { 3: { class_type: 'KSampler', inputs: { seed: 42, cfg: 7.5, model: ['4', 0] } },
    6: { class_type: 'CLIPTextEncode', _meta: { title: 'Positive' }, inputs: { text: 'a cat', clip: ['4', 1] } } };
  assert.ok(isComfyGraph(graph));
  assert.ok(!isComfyGraph({ workflow_slug: 'x', workflow_json: {} }));
  assert.deepEqual(graphInputs(graph).map((i) => [i.nodeId, i.field, i.type, i.key]),
    [['3', 'seed', 'integer', 'seed_3'], ['3', 'cfg', 'number', 'cfg_3'], ['6', 'text', 'string', 'text_6']]);
});

test('a line diff keeps common lines and marks the changed ones', () => {
  const lines = diffLines('a\nb\nc', 'a\nB\nc\nd');
  assert.deepEqual(lines.map((l) => l.kind + l.line), [' a', '+B', '-b', ' c', '+d']);
});

test('server-sent events are parsed across chunk boundaries, with comments and multi-line data', async () => {
  const text = 'retry: 2000\r\n\r\n:keep-alive\n\nid: 1\nevent: status\ndata: {"a":\ndata: 1}\n\nid: 2\nevent: ready\ndata: {}\n\n';
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
      controller.close();
    },
  });
  const events = [];
  await readEvents(body, (e) => events.push(e));
  assert.deepEqual(events, [{ id: '1', event: 'status', data: { a: 1 } }, { id: '2', event: 'ready', data: {} }]);
});
