// Drives the dashboard (/) in headless Chromium the way its users do, one scenario per run, and prints one JSON
// summary line: what each step saw, page errors, and axe-core's accessibility violations on every page and dialog it
// visited. Every sign-in goes through the OIDC issuer's own login page (Keycloak's form).
//
//   node dashboard.mjs <scenario> <settings JSON>
//
// Scenarios (settings: gateway, team, user, password, and what the scenario names):
//   owner   run the file workflow from the dialog with an attachment (file) and watch it complete on the list without a
//           reload; cancel two waiting tasks together (cancel: [ids]); import a ComfyUI graph (graph_v1, graph_v2 files)
//           twice, compare the versions and restore the first; create a key and see its secret once; invite a viewer
//           (invitee, invitee_password) who then signs in, joins, and finds no run or cancel action.
//   polling the team stream blocked: the list falls back to polling and still shows a run (file_workflow) complete.
//   admin   at phone width: the agent (agent) shows online; upload a model in parts (large_model) and one in a single PUT
//           (small_model), disable and enable the first, delete the second; add a webhook (webhook_url), run a task,
//           read its delivery's payload, resend it, rotate the secret.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const [scenario, settingsJson] = process.argv.slice(2);
if (!scenario || !settingsJson) {
  console.error('usage: node dashboard.mjs <scenario> <settings JSON>');
  process.exit(1);
}
const s = JSON.parse(settingsJson);
const summary = { scenario, steps: {}, accessibility: {}, page_errors: [] };
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
const page = await browser.newPage();
page.setDefaultTimeout(30_000);
page.on('pageerror', (e) => summary.page_errors.push(e.message));
// A refused API call is logged by Chromium as a failed resource: expected where a step provokes one, so kept apart.
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  (m.text().startsWith('Failed to load resource') ? (summary.failed_resources ??= []) : summary.page_errors).push(`console: ${m.text()}`);
});
page.on('dialog', (d) => d.accept());

async function audit(name) {
  await page.evaluate(axeSource);
  summary.accessibility[name] = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) })));
}

async function signIn(user, password) {
  await page.waitForSelector('#username');
  summary.steps[`login_page_${user}`] = page.url().split('?')[0];
  await page.type('#username', user);
  await page.type('#password', password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('#kc-login')]);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body?.dataset.state), { polling: 100 });
}

const text = () => page.evaluate(() => document.body.innerText);
/** Clicks the first enabled element matching the selector whose text starts with the label. */
const clickText = async (selector, label) => {
  const handle = await page.waitForFunction((sel, l) => [...document.querySelectorAll(sel)].find((b) => b.textContent.trim().startsWith(l) && !b.disabled),
    { polling: 100 }, selector, label);
  const element = handle.asElement();
  await element.evaluate((b) => b.scrollIntoView({ block: 'center' }));
  await element.click();
};
/** How far the page is wider than the window once it has settled (two frames), and what sticks out, per page. */
async function overflow(name) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  (summary.steps.overflow ??= {})[name] = await page.evaluate(() => ({
    px: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && !e.parentElement?.closest('.table-wrap'))
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8),
    text: (() => {
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n && found.length < 5; n = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(n);
        const r = range.getBoundingClientRect();
        if (r.right > document.documentElement.clientWidth + 1 && !n.parentElement.closest('.table-wrap')) {
          found.push(`${n.parentElement.tagName.toLowerCase()}.${n.parentElement.className}: ${n.textContent.slice(0, 40)} ${Math.round(r.right)}`);
        }
      }
      return found;
    })(),
  }));
}

/** Replaces a field's text as a person does: select everything in it, delete, type. */
const fill = async (selector, value) => {
  await page.focus(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.type(selector, value);
};
const go = async (hash) => {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => location.hash === h, {}, hash);
};

async function owner() {
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(`${s.gateway}/`, { waitUntil: 'domcontentloaded' });
  await signIn(s.user, s.password);
  await page.select('#team-switch', s.team);
  await page.waitForSelector('table.tasks, .empty');
  await page.evaluate(() => { window.__sameDocument = true; });
  await audit('tasks');

  // Run from the dialog, with a file, and watch the new task complete on the list.
  await clickText('button', 'Run a workflow');
  await page.waitForSelector('dialog #run-workflow');
  await page.select('#run-workflow', s.file_workflow);
  await page.waitForSelector('#param-attachment');
  await page.waitForSelector('#param-prompt');
  await fill('#param-prompt', 'from the dashboard');
  const input = await page.$('#param-attachment');
  await input.uploadFile(s.attachment);
  await page.waitForFunction(() => document.querySelector('.upload span')?.textContent.startsWith('Uploaded'), { polling: 100 });
  await audit('run_dialog');
  summary.steps.upload = await page.$eval('.upload span', (el) => el.textContent);
  await clickText('dialog button[type=submit]', 'Run');
  await page.waitForFunction(() => !document.querySelector('dialog[open]'), { polling: 100 });
  const ran = await page.waitForFunction(() => document.querySelector('#ran-task')?.dataset.task, { polling: 100 });
  const taskId = await ran.jsonValue();
  await page.waitForFunction((id) => document.querySelector(`tr[data-task="${id}"]`)?.dataset.status === 'completed', { timeout: 90_000, polling: 100 }, taskId);
  summary.steps.ran = { task: taskId, same_document: await page.evaluate(() => window.__sameDocument === true),
    row: await page.$eval(`tr[data-task="${taskId}"]`, (el) => el.innerText) };

  // Cancel two waiting tasks together.
  await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`tr[data-task="${id}"]`)), { polling: 100 }, s.cancel);
  for (const id of s.cancel) await page.click(`tr[data-task="${id}"] input[type=checkbox]`);
  await clickText('button', 'Cancel selected (2)');
  await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`tr[data-task="${id}"]`)?.dataset.status === 'cancelled'),
    { polling: 100 }, s.cancel);
  summary.steps.cancelled = s.cancel;

  // The task page of the completed task: outputs with fresh links.
  await go(`#/tasks/${taskId}`);
  await page.waitForSelector('.outputs a');
  summary.steps.task_page = { outputs: await page.$$eval('.outputs a', (as) => as.map((a) => ({ name: a.textContent, href: a.href }))),
    status: await page.$eval('section.task', (el) => el.dataset.status) };
  await audit('task_page');

  // Import a ComfyUI graph, import a changed one as version 2, compare, restore version 1.
  await go('#/workflows');
  await page.waitForSelector('#workflows-title');
  await audit('workflows');
  for (const [file, version] of [[s.graph_v1, 1], [s.graph_v2, 2]]) {
    await clickText('button', 'Import a workflow');
    const chooser = await page.waitForSelector('#import-file');
    await chooser.uploadFile(file);
    await page.waitForSelector('#import-slug');
    await fill('#import-slug', s.graph_slug);
    await fill('#import-labels', 'gpu, comfyui');
    const seed = await page.$$('.mapping input[type=checkbox]');
    await seed[0].click();
    if (version === 1) await audit('import_dialog');
    await clickText('dialog button[type=submit]', 'Import');
    await page.waitForFunction((v) => document.querySelector('section[data-version]')?.dataset.version === String(v), { polling: 100 }, version);
    if (version === 1) await go('#/workflows');
  }
  await audit('workflow_page');
  await page.waitForSelector('li[data-snapshot-version="1"] input');
  await page.click('li[data-snapshot-version="1"] input');
  await page.click('li[data-snapshot-version="2"] input');
  await clickText('button', 'Compare selected');
  await page.waitForSelector('pre.diff');
  summary.steps.diff = { added: await page.$$eval('pre.diff .added', (l) => l.length), removed: await page.$$eval('pre.diff .removed', (l) => l.length) };
  await audit('diff');
  await page.click('dialog button[aria-label=Close]');
  await page.click('button[aria-label="Restore version 1"]');
  await page.waitForFunction(() => document.querySelector('section[data-version]')?.dataset.version === '3', { polling: 100 });
  summary.steps.restored = { workflow: page.url().split('#/workflows/')[1], version: 3 };

  // A key: its secret shown once.
  await go('#/access');
  await clickText('button', 'Create a key');
  await page.waitForSelector('dialog[open] #key-name', { visible: true });
  await page.type('#key-name', 'Made in the browser');
  await audit('key_dialog');
  await clickText('dialog button[type=submit]', 'Create');
  const secret = await (await page.waitForSelector('.secret[data-secret]')).evaluate((el) => el.textContent);
  await audit('key_created');
  await clickText('dialog button', 'Done');
  await page.waitForFunction((prefix) => document.querySelector(`tr[data-key="${prefix}"]`), { polling: 100 }, secret.slice(0, 12));
  summary.steps.key = { secret, shown_after_done: (await text()).includes(secret) };
  await audit('access');
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => document.querySelector('tbody tr[data-key]'), { polling: 100 });
  summary.steps.key.shown_after_reload = (await text()).includes(secret);

  // Invite a viewer, who signs in and joins.
  await go('#/members');
  await clickText('button', 'Invite a member');
  // What the API refuses shows the API's own message: the owner is a member already.
  await page.type('#invite-email', `${s.user}@example.com`);
  await clickText('dialog button[type=submit]', 'Invite');
  summary.steps.refused = await (await page.waitForSelector('dialog .error')).evaluate((el) => el.textContent);
  await fill('#invite-email', `${s.invitee}@example.com`);
  await page.select('#invite-role', 'viewer');
  await audit('invite_dialog');
  await clickText('dialog button[type=submit]', 'Invite');
  const link = await (await page.waitForSelector('dialog .secret')).evaluate((el) => el.textContent);
  summary.steps.invitation_link = link;
  await clickText('dialog button', 'Done');
  await audit('members');
  await clickText('button', 'Sign out');
  await page.waitForSelector('#username');
  await page.goto(link, { waitUntil: 'domcontentloaded' });
  await signIn(s.invitee, s.invitee_password);
  await page.waitForSelector('#accept-title');
  await audit('accept');
  await clickText('button', 'Join the team');
  await page.waitForFunction((team) => document.querySelector('#team-switch')?.value === team && document.body.dataset.role === 'viewer',
    { polling: 100 }, s.team);
  await page.waitForSelector('table.tasks');
  summary.steps.viewer = {
    role: await page.evaluate(() => document.body.dataset.role),
    run_buttons: await page.$$eval('button', (bs) => bs.filter((b) => /^Run/.test(b.textContent.trim())).length),
    cancel_controls: await page.$$eval('button, input[type=checkbox]', (els) => els.filter((e) => /Cancel/.test(e.textContent) || e.type === 'checkbox').length),
  };
  await audit('viewer_tasks');
  await go(`#/tasks/${taskId}`);
  await page.waitForSelector('section.task');
  summary.steps.viewer.task_page_actions = await page.$$eval('section.task button', (bs) => bs.map((b) => b.textContent.trim()));
  await page.screenshot({ path: s.screenshot, fullPage: true });
}

async function admin() {
  const step = (name) => { summary.steps.at = name; };
  // Phone width: the same pages must work on a small screen.
  await page.setViewport({ width: 390, height: 844 });
  const started = Date.now();
  await page.goto(`${s.gateway}/#/agents`, { waitUntil: 'domcontentloaded' });
  await signIn(s.user, s.password);
  await page.select('#team-switch', s.team);
  await go('#/agents');
  await page.waitForFunction((id) => ['idle', 'busy'].includes(document.querySelector(`[data-agent="${id}"]`)?.dataset.status), { polling: 100 }, s.agent);
  summary.steps.agent = await page.$eval(`[data-agent="${s.agent}"]`, (el) => el.innerText);
  summary.steps.signed_in_ms = Date.now() - started;
  await overflow('agents');
  await audit('agents');
  step('models');
  // Models: a large one in parts, a small one in one PUT; disable and enable, delete.
  await go('#/models');
  await page.waitForSelector('#models-title');
  for (const [file, name] of [[s.large_model, 'browser-large'], [s.small_model, 'browser-small']]) {
    await clickText('button', 'Upload a model');
    const input = await page.waitForSelector('#model-file');
    await input.uploadFile(file);
    await fill('#model-name', name);
    await fill('#model-path', `browser/${name}.safetensors`);
    if (name === 'browser-large') await audit('model_dialog');
    step(`upload ${name}`);
    await clickText('dialog button[type=submit]', 'Upload');
    await page.waitForFunction((n) => document.querySelector(`tr[data-model="${n}"]`), { timeout: 120_000, polling: 100 }, name);
  }
  await page.click('tr[data-model="browser-large"] button.link');
  await page.waitForFunction(() => document.querySelector('tr[data-model="browser-large"]')?.dataset.status === 'disabled', { polling: 100 });
  await page.click('tr[data-model="browser-large"] button.link');
  await page.waitForFunction(() => document.querySelector('tr[data-model="browser-large"]')?.dataset.status === 'active', { polling: 100 });
  await page.click('button[aria-label="Delete browser-small"]');
  await page.waitForFunction(() => !document.querySelector('tr[data-model="browser-small"]'), { polling: 100 });
  summary.steps.models = await page.$$eval('tr[data-model]', (rows) => rows.map((r) => r.dataset.model));
  await overflow('models');
  await audit('models');

  step('webhooks');
  // Webhooks: add one, run a task so it is delivered, read the delivery, resend it, rotate the secret.
  await go('#/webhooks');
  await clickText('button', 'Add a webhook');
  await page.type('#hook-name', 'browser hook');
  await fill('#hook-url', s.webhook_url);
  await audit('webhook_dialog');
  await clickText('dialog button[type=submit]', 'Save');
  await page.waitForSelector('[data-webhook="browser hook"]');
  await go('#/tasks');
  await clickText('button', 'Run a workflow');
  await page.waitForSelector('dialog #run-workflow');
  await page.select('#run-workflow', s.file_workflow);
  await page.waitForSelector('#param-attachment');
  await page.type('#param-prompt', 'for the webhook');
  await clickText('dialog button[type=submit]', 'Run');
  const ran = await (await page.waitForFunction(() => document.querySelector('#ran-task')?.dataset.task, { polling: 100 })).jsonValue();
  await page.waitForFunction((id) => document.querySelector(`tr[data-task="${id}"]`)?.dataset.status === 'completed', { timeout: 90_000, polling: 100 }, ran);
  await go('#/webhooks');
  await page.waitForSelector('[data-webhook="browser hook"]');
  // The delivery is made in the background: the list is refreshed (its Refresh button) until it shows it delivered.
  await page.waitForFunction(() => {
    const hook = document.querySelector('[data-webhook="browser hook"]');
    if (hook.querySelector('tr[data-status="delivered"]')) return true;
    [...hook.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Refresh')?.click();
    return false;
  }, { timeout: 60_000, polling: 500 });
  await clickText('[data-webhook="browser hook"] tr[data-status="delivered"] button', 'Payload');
  summary.steps.payload = JSON.parse(await (await page.waitForSelector('dialog pre')).evaluate((el) => el.textContent));
  await audit('delivery_payload');
  await page.click('dialog button[aria-label=Close]');
  await clickText('[data-webhook="browser hook"] tr[data-status="delivered"] button', 'Resend');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-webhook="browser hook"] tr[data-delivery]')].length >= 2, { polling: 100 });
  await audit('webhooks');
  await clickText('[data-webhook="browser hook"] button', 'Rotate secret');
  summary.steps.rotated = await (await page.waitForSelector('code[data-rotated]')).evaluate((el) => el.textContent);
  await clickText('dialog button', 'Done');
  summary.steps.ran = ran;
  await overflow('webhooks');
  await page.screenshot({ path: s.screenshot, fullPage: true });
}

/** With the team stream blocked (a proxy that refuses it), the list still follows a run, by polling. */
async function polling() {
  await page.setViewport({ width: 1280, height: 900 });
  await page.setRequestInterception(true);
  page.on('request', (r) => (r.url().includes('/api/v1/r/tasks/events') ? r.abort('blockedbyclient') : r.continue()));
  await page.goto(`${s.gateway}/`, { waitUntil: 'domcontentloaded' });
  await signIn(s.user, s.password);
  await page.select('#team-switch', s.team);
  await page.waitForFunction(() => document.querySelector('.live')?.textContent === 'Live (polling)', { polling: 100 });
  await clickText('button', 'Run a workflow');
  await page.waitForSelector('dialog #run-workflow');
  await page.select('#run-workflow', s.file_workflow);
  await page.waitForSelector('#param-attachment');
  await page.type('#param-prompt', 'followed by polling');
  await clickText('dialog button[type=submit]', 'Run');
  const ran = await (await page.waitForFunction(() => document.querySelector('#ran-task')?.dataset.task, { polling: 100 })).jsonValue();
  await page.waitForFunction((id) => document.querySelector(`tr[data-task="${id}"]`)?.dataset.status === 'completed', { timeout: 90_000, polling: 100 }, ran);
  summary.steps.polled = { task: ran, state: await page.$eval('.live', (el) => el.textContent) };
}

try {
  if (scenario === 'owner') await owner();
  else if (scenario === 'polling') await polling();
  else if (scenario === 'admin') await admin();
  else throw new Error(`unknown scenario ${scenario}`);
  summary.completed = true;
} catch (e) {
  summary.completed = false;
  if (s.screenshot) await page.screenshot({ path: s.screenshot.replace(/\.png$/, '-failure.png') }).catch(() => {});
  summary.failure = `${e.message} at ${page.url()}: ${(await text().catch(() => '')).slice(0, 800)}`;
} finally {
  console.log(JSON.stringify(summary));
  await browser.close();
}
