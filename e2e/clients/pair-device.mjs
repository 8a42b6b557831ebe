// Approves a device pairing in headless Chromium the way a person does: opens the pairing page the device showed,
// signs in on the OIDC issuer's own login page (Keycloak's form), picks the team and approves. Prints one JSON summary
// line: the page's final state and texts, where the browser went, page errors, axe-core's accessibility violations
// (before and after approving); saves a screenshot.
//
//   node pair-device.mjs 'http://127.0.0.1:8080/desktop/pair?user_code=ABCD-EFGH' alice <password> <team id> /tmp/pair.png
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

// axe-core, evaluated through the DevTools protocol (the page's CSP allows no injected script tags).
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function accessibility(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })));
}

const [pageUrl, username, password, team, screenshot = 'pair.png'] = process.argv.slice(2);
if (!team) {
  console.error('usage: node pair-device.mjs <verification page URL> <username> <password> <team id> [screenshot.png]');
  process.exit(1);
}
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const visited = [];
const errors = [];
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 420, height: 900 });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) visited.push(f.url()); });
  await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
  // The page sends an anonymous visitor to the issuer's login form.
  await page.waitForSelector('#username', { timeout: 30_000 });
  const loginPage = page.url();
  await page.type('#username', username);
  await page.type('#password', password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('#kc-login')]);
  // A timeout still reports where the browser is and what it shows.
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body?.dataset.state), { timeout: 30_000, polling: 100 })
    .catch((e) => errors.push(`${e.message} at ${page.url()}: ${visited.join(' -> ')}`));
  const before = await page.evaluate(() => ({
    state: document.body.dataset.state,
    code: document.getElementById('code')?.value,
    teams: [...(document.getElementById('team')?.options ?? [])].map((o) => o.value),
    who: document.getElementById('who')?.textContent,
    text: document.body.innerText.slice(0, 500),
  }));
  // Accessibility of the page as a person first sees it (the form filled in); again once approved.
  const violations = { ready: await accessibility(page) };
  if (before.state === 'ready') {
    await page.select('#team', team);
    await page.type('#device', 'Browser-approved laptop');
    await page.click('#approve');
    await page.waitForFunction(() => ['approved', 'error'].includes(document.body.dataset.state), { timeout: 30_000, polling: 100 })
      .catch((e) => errors.push(e.message));
  }
  violations.approved = await accessibility(page);
  await page.screenshot({ path: screenshot, fullPage: true });
  const after = await page.evaluate(() => ({
    state: document.body.dataset.state,
    status: document.getElementById('status')?.textContent,
    message: document.getElementById('message')?.hidden ? null : document.getElementById('message')?.textContent,
    address: location.href,
    form_visible: document.getElementById('pair')?.offsetParent !== null,
    stored_keys: Object.keys(sessionStorage),
  }));
  // Signing out ends the issuer's session too: the page then meets the login form again, not a silent sign-in.
  await page.click('#sign-out');
  const signedOut = await page.waitForSelector('#username', { timeout: 30_000 }).then(() => true).catch(() => false);
  const afterSignOut = { at_login_form: signedOut, address: page.url() };
  console.log(JSON.stringify({ before, ...after, accessibility: violations, sign_out: afterSignOut, login_page: loginPage, visited,
    page_errors: errors, screenshot }));
} finally {
  await browser.close();
}
