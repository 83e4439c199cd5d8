// Browser side of bench/boxes: frame times while a box is dragged with the
// mouse over a 12 MP image holding 1,000 boxes, in headless Chromium with the
// frame-rate limit off (so a frame's time is its work, not the 60 Hz vsync).
// The ceiling, in the same browser with the same mouse moves: an empty
// canvas cleared every frame. Prints p50/p95 of each and the ratio.
/* global window, document, requestAnimationFrame, performance */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { launchBrowser, CHROMIUM_ARGS } from '../tests/lib/browser.mjs';

const BOXES = Number(process.env.BOXES || 1000);
const MOVES = Number(process.env.MOVES || 400);
const here = fileURLToPath(new URL('.', import.meta.url));

const out = await build({
  entryPoints: [`${here}boxes_page.tsx`],
  bundle: true,
  write: false,
  format: 'iife',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: 'out',
  loader: { '.css': 'css' },
  logLevel: 'error',
});
const js = out.outputFiles.find((f) => f.path.endsWith('.js')).text;
const css = out.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';

const browser = await launchBrowser({ args: [...CHROMIUM_ARGS, '--disable-frame-rate-limit', '--disable-gpu-vsync'] });
const page = await browser.newPage();

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Mouse drag from (x0, y0) in MOVES steps while the page records rAF deltas. */
async function dragAndRecord(x0, y0) {
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
    // Only frames with a pointer move since the previous one count: those are the drag's frames.
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
  for (let i = 1; i <= MOVES; i++) {
    await page.mouse.move(x0 + (i % 200) * 1.5, y0 + Math.sin(i / 20) * 60);
  }
  await page.mouse.up();
  const deltas = await page.evaluate(() => {
    window.recording = false;
    return window.deltas.slice(2); // the first frames include the setup
  });
  return deltas;
}

async function load(html) {
  await page.setContent(html);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 30_000 });
  await page.waitForTimeout(300);
}

// The ceiling: an empty canvas, cleared every frame.
await load(`<!doctype html><body style="margin:0"><canvas id="c" width="1000" height="750"></canvas><script>
  const c = document.getElementById('c'); const g = c.getContext('2d');
  const loop = () => { g.clearRect(0, 0, c.width, c.height); requestAnimationFrame(loop); };
  requestAnimationFrame(loop); window.ready = true;
</script></body>`);
const empty = await dragAndRecord(200, 200);

// The box tool: box 0 is at (1000, 1000) of 4000x3000, i.e. (250, 250) on the 1000x750 frame; grab its middle.
await load(`<!doctype html><head><style>body{margin:0}${css}</style></head><body><div id="root"></div><script>window.benchParams = ${JSON.stringify(`boxes=${BOXES}${process.env.NOIMG ? '&noimg=1' : ''}`)};${js.replace(/<\/script/g, '<\\/script')}</script></body>`);
const count = await page.getAttribute('[data-testid=box-canvas]', 'data-box-count');
const boxes = await dragAndRecord(250 + 37, 250 + 25);
const moved = await page.evaluate(() => JSON.stringify(window.editor.boxes.value[0].bbox));
await browser.close();

const line = (name, d) =>
  `${name.padEnd(34)} frames ${String(d.length).padStart(5)}  p50 ${pct(d, 50).toFixed(2).padStart(6)} ms  p95 ${pct(d, 95).toFixed(2).padStart(6)} ms`;
console.log(`bench/boxes: drag one box, ${MOVES} mouse moves, headless Chromium without a frame-rate limit`);
console.log(line('empty canvas loop (ceiling)', empty));
console.log(line(`box tool, ${count} boxes on 12 MP`, boxes));
console.log(`ratio p50 ${(pct(boxes, 50) / pct(empty, 50)).toFixed(2)}  p95 ${(pct(boxes, 95) / pct(empty, 95)).toFixed(2)}  (box tool / ceiling)`);
console.log(`target: p95 < 16 ms: ${pct(boxes, 95) < 16 ? 'met' : 'NOT met'}; the dragged box ends at ${moved} (from [1000,1000,300,200])`);
