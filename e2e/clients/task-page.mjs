// Opens the gateway's live task page in headless Chromium (Debian's chromium, driven with puppeteer-core), records
// every state the page shows as it changes, waits until it shows a final state, saves a screenshot and prints one
// JSON summary line: the states seen, the progress text, the log, the live preview, the output download links.
//
//   node task-page.mjs 'http://127.0.0.1:8080/tasks/<id>#stream_token=st-...' /tmp/task.png
import puppeteer from 'puppeteer-core';

const [pageUrl, screenshot = 'task-page.png'] = process.argv.slice(2);
if (!pageUrl) {
  console.error('usage: node task-page.mjs <page_url from POST /api/v1/r/tasks/{id}/stream-token> [screenshot.png]');
  process.exit(1);
}
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 900 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const seen = [];
  await page.exposeFunction('cyberunStatusSeen', (status) => seen.push({ status, at: Date.now() }));
  await page.evaluateOnNewDocument(() => {
    new MutationObserver(() => {
      const s = document.body?.dataset.status;
      if (s && s !== window.lastStatus) {
        window.lastStatus = s;
        window.cyberunStatusSeen(s);
      }
      // A live preview shown while the task still ran (not only replayed after it ended).
      if (document.body?.dataset.previews && document.body.dataset.status === 'running') window.cyberunPreviewWhileRunning = true;
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-status', 'data-previews'] });
  });
  await page.goto(pageUrl, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => ['completed', 'failed', 'cancelled', 'unauthorised', 'unavailable', 'error']
    .includes(document.body.dataset.status) && (document.body.dataset.status !== 'completed' || document.body.dataset.outputs),
  { timeout: 120_000, polling: 100 });
  // Output previews load from their signed URLs: wait for the images before the screenshot.
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), { timeout: 10_000 }).catch(() => {});
  await page.screenshot({ path: screenshot, fullPage: true });
  const summary = await page.evaluate(() => ({
    status: document.body.dataset.status,
    address: location.href,
    progress_text: document.getElementById('progress-text').textContent,
    bar_width: document.getElementById('bar').style.width,
    error: document.getElementById('error').hidden ? null : document.getElementById('error').textContent,
    log: document.getElementById('log').textContent,
    downloads: [...document.querySelectorAll('a.download')].map((a) => ({ text: a.textContent, href: a.href })),
    previews: [...document.querySelectorAll('.output img')].map((i) => ({ alt: i.alt, loaded: i.complete && i.naturalWidth > 0 })),
    live_preview: (() => {
      const img = document.getElementById('preview');
      return {
        shown: !document.getElementById('preview-box').hidden,
        loaded: img.complete && img.naturalWidth > 0,
        width: img.naturalWidth,
        id: img.dataset.previewId ?? null,
        previews_seen: Number(document.body.dataset.previews || 0),
        seen_while_running: window.cyberunPreviewWhileRunning === true,
      };
    })(),
  }));
  console.log(JSON.stringify({ ...summary, states_seen: seen.map((s) => s.status), state_times: seen.map((s) => s.at), page_errors: errors, screenshot }));
} finally {
  await browser.close();
}
