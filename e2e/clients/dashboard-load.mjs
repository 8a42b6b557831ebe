// How fast the dashboard's first page comes up in headless Chromium for a signed-in user: signs in once (Keycloak's
// form), then loads / N times in fresh tabs of the same session and times each from navigation to the task list drawn
// (its rows or its empty line), with the browser's cache cleared each time unless told to keep it. Prints one JSON line.
//   node dashboard-load.mjs <gateway> <user> <password> [loads, default 20] [--warm-cache]
import puppeteer from 'puppeteer-core';

const [gateway, user, password, loadsArg = '20', cacheMode] = process.argv.slice(2);
const loads = Number(loadsArg);
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
try {
  const first = await browser.newPage();
  await first.goto(`${gateway}/`, { waitUntil: 'domcontentloaded' });
  await first.waitForSelector('#username');
  await first.type('#username', user);
  await first.type('#password', password);
  await Promise.all([first.waitForNavigation(), first.click('#kc-login')]);
  await first.waitForSelector('table.tasks, .empty', { timeout: 30_000 });
  const session = await first.evaluate(() => JSON.stringify(Object.fromEntries(Object.entries(sessionStorage))));
  const times = [];
  const bytes = [];
  for (let i = 0; i < loads; i++) {
    const page = await browser.newPage();
    const cdp = await page.createCDPSession();
    if (cacheMode !== '--warm-cache') await cdp.send('Network.clearBrowserCache');
    // The tokens live in sessionStorage (per tab): a new tab gets the session the way a reload keeps it.
    await page.evaluateOnNewDocument((s) => {
      for (const [k, v] of Object.entries(JSON.parse(s))) sessionStorage.setItem(k, v);
    }, session);
    let transferred = 0;
    page.on('response', async (r) => { transferred += Number(r.headers()['content-length'] ?? 0); });
    const started = Date.now();
    await page.goto(`${gateway}/`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('table.tasks, .empty', { timeout: 30_000 });
    times.push(Date.now() - started);
    bytes.push(transferred);
    await page.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  console.log(JSON.stringify({ loads, cache: cacheMode === '--warm-cache' ? 'warm' : 'cold', p50_ms: pct(50), p90_ms: pct(90),
    max_ms: sorted[sorted.length - 1], first_ms: times[0], bytes_p50: bytes.sort((a, b) => a - b)[Math.floor(bytes.length / 2)] }));
} finally {
  await browser.close();
}
