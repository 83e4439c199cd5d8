// Browser side of bench/boxes: frame times while a box is dragged with the
// mouse over a 12 MP image holding 1,000 boxes, in headless Chromium with the
// frame-rate limit off. The ceiling, in the same browser with the same mouse
// moves: an empty canvas cleared every frame (bench/frames.mjs). Prints
// p50/p95 of each and the ratio.
/* global window */
import { fileURLToPath } from 'node:url';
import { bundle, dragAndRecord, line, loadBundle, loadEmptyCanvas, openBrowser, pct } from './frames.mjs';

const BOXES = Number(process.env.BOXES || 1000);
const MOVES = Number(process.env.MOVES || 400);
const here = fileURLToPath(new URL('.', import.meta.url));

const page0 = await bundle(`${here}boxes_page.tsx`);
const { browser, page } = await openBrowser();
const path = (x0, y0) => (i) => [x0 + (i % 200) * 1.5, y0 + Math.sin(i / 20) * 60];

await loadEmptyCanvas(page);
const empty = await dragAndRecord(page, 200, 200, MOVES, path(200, 200));

// The box tool: box 0 is at (1000, 1000) of 4000x3000, i.e. (250, 250) on the 1000x750 frame; grab its middle.
await loadBundle(page, page0, `boxes=${BOXES}${process.env.NOIMG ? '&noimg=1' : ''}`);
const count = await page.getAttribute('[data-testid=box-canvas]', 'data-box-count');
const boxes = await dragAndRecord(page, 250 + 37, 250 + 25, MOVES, path(250 + 37, 250 + 25));
const moved = await page.evaluate(() => JSON.stringify(window.editor.boxes.value[0].bbox));
await browser.close();

console.log(`bench/boxes: drag one box, ${MOVES} mouse moves, headless Chromium without a frame-rate limit`);
console.log(line('empty canvas loop (ceiling)', empty));
console.log(line(`box tool, ${count} boxes on 12 MP`, boxes));
console.log(`ratio p50 ${(pct(boxes, 50) / pct(empty, 50)).toFixed(2)}  p95 ${(pct(boxes, 95) / pct(empty, 95)).toFixed(2)}  (box tool / ceiling)`);
console.log(`target: p95 < 16 ms: ${pct(boxes, 95) < 16 ? 'met' : 'NOT met'}; the dragged box ends at ${moved} (from [1000,1000,300,200])`);
