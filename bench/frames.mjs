// Shared by the editor benchmarks (bench/boxes, bench/polygons): a page
// bundled from a .tsx entry, headless Chromium with the frame-rate limit off
// (so a frame's time is its work, not the 60 Hz vsync), the frame times of a
// mouse drag, and the ceiling: an empty canvas cleared every frame, dragged
// over with the same mouse moves in the same browser.
/* global window, document, requestAnimationFrame, performance */
import { build } from 'esbuild';
import { launchBrowser, CHROMIUM_ARGS } from '../tests/lib/browser.mjs';

/** The page's script and CSS, bundled from a .tsx entry. */
export async function bundle(entry) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'out',
    loader: { '.css': 'css' },
    logLevel: 'error',
  });
  return {
    js: out.outputFiles.find((f) => f.path.endsWith('.js')).text,
    css: out.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '',
  };
}

export async function openBrowser() {
  const browser = await launchBrowser({ args: [...CHROMIUM_ARGS, '--disable-frame-rate-limit', '--disable-gpu-vsync'] });
  return { browser, page: await browser.newPage() };
}

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/**
 * A mouse drag from (x0, y0) through path(i) for i = 1..moves while the page
 * records the time between frames that had a pointer move (the drag's frames).
 */
export async function dragAndRecord(page, x0, y0, moves, path) {
  await page.evaluate(() => {
    const w = window;
    w.deltas = [];
    w.recording = true;
    // A 1x1 canvas cleared every frame keeps frames coming when nothing else changes.
    const k = document.createElement('canvas');
    k.width = k.height = 1;
    k.style.cssText = 'position:fixed;left:0;top:0';
    document.body.appendChild(k);
    const kg = k.getContext('2d');
    let moved = false;
    window.addEventListener('pointermove', () => (moved = true), { capture: true });
    let last = performance.now();
    const tick = (t) => {
      kg.clearRect(0, 0, 1, 1);
      if (moved) w.deltas.push(t - last);
      moved = false;
      last = t;
      if (w.recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  for (let i = 1; i <= moves; i++) {
    const [x, y] = path(i);
    await page.mouse.move(x, y);
  }
  await page.mouse.up();
  return page.evaluate(() => {
    window.recording = false;
    return window.deltas.slice(2); // the first frames include the setup
  });
}

async function load(page, html) {
  await page.setContent(html);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
  await page.waitForTimeout(300);
}

/** Loads the ceiling's page: a 1000x750 canvas cleared every frame. */
export function loadEmptyCanvas(page) {
  return load(
    page,
    `<!doctype html><body style="margin:0"><canvas id="c" width="1000" height="750"></canvas><script>
  const c = document.getElementById('c'); const g = c.getContext('2d');
  const loop = () => { g.clearRect(0, 0, c.width, c.height); requestAnimationFrame(loop); };
  requestAnimationFrame(loop); window.ready = true;
</script></body>`,
  );
}

/** Loads a bundled page with its parameters (window.benchParams, a query string); it sets window.ready. */
export function loadBundle(page, { js, css }, params) {
  return load(
    page,
    `<!doctype html><head><style>body{margin:0}${css}</style></head><body><div id="root"></div><script>window.benchParams = ${JSON.stringify(params)};${js.replace(/<\/script/g, '<\\/script')}</script></body>`,
  );
}

/** One line of figures: frames, p50 and p95. */
export const line = (name, d) =>
  `${name.padEnd(50)} frames ${String(d.length).padStart(5)}  p50 ${pct(d, 50).toFixed(2).padStart(6)} ms  p95 ${pct(d, 95).toFixed(2).padStart(6)} ms`;
