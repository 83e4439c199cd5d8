// Browser side of bench/polygons: frame times while one vertex is dragged
// with the mouse over a 12 MP image holding 300 polygons of 50 vertices, in
// headless Chromium with the frame-rate limit off. The ceiling, in the same
// browser with the same mouse moves: an empty canvas cleared every frame
// (bench/frames.mjs). Prints p50/p95 of each and the ratio.
/* global window */
import { fileURLToPath } from 'node:url';
import { bundle, dragAndRecord, line, loadBundle, loadEmptyCanvas, openBrowser, pct } from './frames.mjs';

const POLYGONS = Number(process.env.POLYGONS || 300);
const VERTICES = Number(process.env.VERTICES || 50);
const MOVES = Number(process.env.MOVES || 400);
const FILL = process.env.FILL !== '0';
const here = fileURLToPath(new URL('.', import.meta.url));

const page0 = await bundle(`${here}polygons_page.tsx`);
const { browser, page } = await openBrowser();
// Outwards from the vertex and back, up and down: the ring stays simple all along.
const path = (x0, y0) => (i) => [x0 + (i % 100), y0 + Math.sin(i / 20) * 20];

await loadEmptyCanvas(page);
const empty = await dragAndRecord(page, 200, 200, MOVES, path(200, 200));

// Vertex 0 of object 0 is at (1350, 1100) of 4000x3000, i.e. (337.5, 275) on the 1000x750 frame.
await loadBundle(page, page0, `polygons=${POLYGONS}&vertices=${VERTICES}${process.env.NOIMG ? '&noimg=1' : ''}`);
if (!FILL) await page.evaluate(() => window.editor.toggleFill());
const count = await page.getAttribute('[data-testid=polygon-canvas]', 'data-object-count');
const frames = await dragAndRecord(page, 337.5, 275, MOVES, path(337.5, 275));
const moved = await page.evaluate(() => JSON.stringify(window.editor.objects.value[0].polygons[0].slice(0, 2)));
await browser.close();

const what = `${count} polygons x ${VERTICES} vertices`;
console.log(`bench/polygons: drag one vertex, ${MOVES} mouse moves, headless Chromium without a frame-rate limit, fill ${FILL ? 'on' : 'off'}`);
console.log(line('empty canvas loop (ceiling)', empty));
console.log(line(`polygon tool, ${what} on 12 MP`, frames));
console.log(`ratio p50 ${(pct(frames, 50) / pct(empty, 50)).toFixed(2)}  p95 ${(pct(frames, 95) / pct(empty, 95)).toFixed(2)}  (polygon tool / ceiling)`);
console.log(`target: p95 < 16 ms: ${pct(frames, 95) < 16 ? 'met' : 'NOT met'}; the dragged vertex ends at ${moved} (from [1350,1100])`);
