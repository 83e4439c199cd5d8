// Browser side of bench/labeling: in headless Chromium over 500 images,
// the time from a keypress to the next image painted (median, p95) and
// from the keypress to the server's acknowledgement of that label. The
// ceiling, measured in the same page: a keypress that changes nothing, to
// the next painted frame (the browser's own floor), and a GET /healthz
// round trip from the page.
/* global document, window, requestAnimationFrame, MutationObserver */
import { launchBrowser } from '../tests/lib/browser.mjs';
import { startServer } from '../tests/lib/server.mjs';
import { uploadPngs } from '../tests/lib/tinypng.mjs';

const N = Number(process.env.IMAGES || 500);
const PASSWORD = 'bench password 1';
const srv = await startServer();
const token = await srv.addUser('bench', { admin: true, password: PASSWORD });
const project = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'bench' } })).json;
for (const n of ['a', 'b', 'c', 'd']) await srv.req('POST', `/api/v1/projects/${project.id}/categories`, { token, body: { name: n } });
await uploadPngs(srv, token, project.id, N, { batch: 100, w: 640, h: 480 });

const browser = await launchBrowser();
const page = await browser.newPage();
await page.goto(`${srv.url}/login`);
await page.getByLabel('Name').fill('bench');
await page.getByLabel('Password').fill(PASSWORD);
await page.keyboard.press('Enter');
await page.waitForURL((u) => !u.pathname.startsWith('/login'));
await page.goto(`${srv.url}/projects/${project.id}/label?filter=unlabeled`);
await page.waitForSelector('[data-testid=viewer-img]');

// In-page probes: keydown time per asset, paint of the next asset, and the
// response end of each PUT annotation.
await page.evaluate(() => {
  const w = window;
  w.bench = { press: new Map(), paint: [], ack: new Map(), floor: [] };
  const img = () => document.querySelector('[data-testid=viewer-img]');
  window.addEventListener('keydown', (e) => {
    const t0 = performance.now();
    if (e.key === 'x') {
      requestAnimationFrame(() => requestAnimationFrame(() => w.bench.floor.push(performance.now() - t0)));
      return;
    }
    const id = Number(img()?.dataset.assetId);
    w.bench.press.set(id, t0);
    const watch = new MutationObserver(() => {
      const el = img();
      if (!el || Number(el.dataset.assetId) === id) return;
      watch.disconnect();
      const done = () => requestAnimationFrame(() => requestAnimationFrame(() => w.bench.paint.push(performance.now() - t0)));
      if (el.complete) done();
      else el.addEventListener('load', done, { once: true });
    });
    watch.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-asset-id', 'src'] });
  }, true);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const m = /\/assets\/(\d+)\/annotation$/.exec(e.name);
      if (m) w.bench.ack.set(Number(m[1]), e.responseEnd);
    }
  }).observe({ type: 'resource', buffered: true });
});

for (let i = 0; i < 30; i++) {
  await page.keyboard.press('x');
  await page.waitForTimeout(20);
}
for (let i = 0; i < N - 1; i++) {
  const id = Number(await page.locator('[data-testid=viewer-img]').getAttribute('data-asset-id'));
  await page.keyboard.press(String((i % 4) + 1));
  await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId) !== prev, id);
}
await page.waitForSelector('[data-testid=save-indicator][data-status=saved]', { timeout: 60_000 });
const rtt = await page.evaluate(async () => {
  const out = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await fetch('/healthz');
    out.push(performance.now() - t);
  }
  return out;
});
const r = await page.evaluate(() => {
  const w = window;
  const acks = [];
  for (const [id, t0] of w.bench.press) if (w.bench.ack.has(id)) acks.push(w.bench.ack.get(id) - t0);
  return { paint: w.bench.paint, acks, floor: w.bench.floor };
});
const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
const f = (x) => x.toFixed(1);
console.log(`browser: ${N} images of 640x480, headless Chromium, next ${5} preloaded`);
console.log(`  keypress -> next image painted   median ${f(q(r.paint, 0.5))} ms   p95 ${f(q(r.paint, 0.95))} ms   (n=${r.paint.length}; target p95 < 50 ms)`);
console.log(`  ceiling: keypress -> next frame  median ${f(q(r.floor, 0.5))} ms   p95 ${f(q(r.floor, 0.95))} ms   ratio p95 ${(q(r.paint, 0.95) / q(r.floor, 0.95)).toFixed(2)}`);
console.log(`  keypress -> server ack           median ${f(q(r.acks, 0.5))} ms   p95 ${f(q(r.acks, 0.95))} ms   (n=${r.acks.length})`);
console.log(`  ceiling: GET /healthz from page  median ${f(q(rtt, 0.5))} ms   p95 ${f(q(rtt, 0.95))} ms   ratio median ${(q(r.acks, 0.5) / q(rtt, 0.5)).toFixed(2)}`);
await browser.close();
await srv.close();
