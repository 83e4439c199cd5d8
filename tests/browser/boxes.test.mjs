/* global document, indexedDB */
// The box tool in headless Chromium: boxes drawn, moved and resized with the
// mouse, moved, recategorized, selected and deleted with the keyboard,
// undone and redone, hidden; every edit autosaved (read back through the
// API); a reload in the middle of editing loses nothing; the review grid
// draws the boxes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const W = 400;
const H = 300;
let session, srv, api, page, project, cats, assets;

/** Screen position of image pixel (x, y). */
async function at(x, y) {
  const r = await page.locator('[data-testid=box-canvas]').boundingBox();
  return [r.x + (x * r.width) / W, r.y + (y * r.height) / H];
}

async function drag(from, to) {
  const [ax, ay] = await at(...from);
  const [bx, by] = await at(...to);
  await page.mouse.move(ax, ay);
  await page.mouse.down();
  await page.mouse.move((ax + bx) / 2, (ay + by) / 2, { steps: 3 });
  await page.mouse.move(bx, by, { steps: 3 });
  await page.mouse.up();
}

/** Reads until check passes (the screen re-renders after the event), or returns the last value. */
async function settle(read, check, ms = 3000) {
  const end = Date.now() + ms;
  let v = await read();
  while (!check(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 25));
    v = await read();
  }
  return v;
}
const countNow = () => page.getAttribute('[data-testid=box-canvas]', 'data-box-count').then(Number);
/** The number of boxes, once it is `expected` (or the last one seen). */
const countIs = (expected) => settle(countNow, (v) => v === expected);
const selectedBbox = async () => (await page.getAttribute('[data-testid=selected-box]', 'data-bbox')).split(',').map(Number);
const selectedCat = async () => Number(await page.getAttribute('[data-testid=selected-box]', 'data-category-id'));

/** Waits until the page's write queue has nothing left stored (every write
 * answered), then asserts that no conflict dialog is open. */
async function noConflictOnceSent() {
  await page.waitForFunction(
    () =>
      new Promise((resolve) => {
        if (Object.keys(localStorage).some((k) => k.startsWith('tessera-write:'))) return resolve(false);
        const open = indexedDB.open('tessera-writes', 1);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('pending', 'readonly').objectStore('pending').getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result.length === 0);
          };
          all.onerror = () => resolve(false);
        };
        open.onerror = () => resolve(false);
      }),
    null,
    { timeout: 10_000 },
  );
  await page.waitForSelector('[data-testid=save-indicator][data-status=saved]');
  await page.waitForTimeout(100); // a refusal's dialog renders on the next frame
  assert.equal(await page.locator('[data-testid=conflict-dialog]').count(), 0, 'no conflict dialog');
}

const close = (actual, expected, tol) => actual.length === expected.length && actual.every((v, i) => Math.abs(v - expected[i]) <= tol);

/** The selected box's bbox once it is near `expected`. */
async function expectBbox(expected, tol, what) {
  near(await settle(selectedBbox, (v) => close(v, expected, tol)), expected, tol, what);
}

async function expectCat(expected) {
  assert.equal(await settle(selectedCat, (v) => v === expected), expected);
}

function near(actual, expected, tol, what) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tol, `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`));
}

async function saved() {
  // The labeling screen shows when its queue is empty; elsewhere the caller polls.
  if (await page.locator('[data-testid=save-indicator]').count()) {
    await page.waitForSelector('[data-testid=save-indicator][data-status=saved]', { timeout: 30_000 });
  }
  const ann = await api('GET', `/api/v1/assets/${assets[0].id}/annotation`);
  return ann.payload?.objects ?? [];
}

describe('box tool', () => {
  before(async () => {
    session = await startSession({
      setup: async (s, token, a) => {
        project = await a('POST', '/api/v1/projects', { name: 'Streets', task_type: 'detection' });
        cats = [];
        for (const name of ['car', 'bus']) cats.push(await a('POST', `/api/v1/projects/${project.id}/categories`, { name }));
        assets = await uploadPngs(s, token, project.id, 3, { w: W, h: H });
      },
    });
    ({ srv, api, page } = session);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  after(async () => {
    await session?.close();
  });

  test('draw, move and resize by mouse; move, recategorize and select by keyboard; all autosaved', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=all&asset=${assets[0].id}`);
    await page.waitForSelector('[data-testid=box-canvas]');
    assert.equal(await countIs(0), 0);

    await drag([50, 50], [150, 120]);
    assert.equal(await countIs(1), 1);
    await expectBbox([50, 50, 100, 70], 1.5, 'drawn');
    await expectCat(cats[0].id); // the first category by default

    await drag([100, 85], [130, 105]); // inside: moves
    await expectBbox([80, 70, 100, 70], 1.5, 'moved');

    await drag([180, 140], [200, 160]); // the south-east handle: resizes
    await expectBbox([80, 70, 120, 90], 1.5, 'resized');

    const before = await selectedBbox();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+ArrowDown');
    await expectBbox([before[0] + 1, before[1] + 10, before[2], before[3]], 0.01, 'nudged');
    await page.keyboard.press('2');
    await expectCat(cats[1].id);

    // A second box, drawn with the category picked last; Tab walks the boxes.
    await drag([250, 200], [350, 280]);
    assert.equal(await countIs(2), 2);
    await expectCat(cats[1].id);
    await page.keyboard.press('1');
    await expectCat(cats[0].id);
    const second = await page.getAttribute('[data-testid=box-canvas]', 'data-selected');
    await page.keyboard.press('Tab');
    const first = await page.getAttribute('[data-testid=box-canvas]', 'data-selected');
    assert.notEqual(first, second);
    await expectBbox([before[0] + 1, before[1] + 10, before[2], before[3]], 0.01, 'Tab selects the first box');

    const objs = await saved();
    assert.equal(objs.length, 2);
    const byId = new Map(objs.map((o) => [o.id, o]));
    near(byId.get(first).bbox, [before[0] + 1, before[1] + 10, before[2], before[3]], 0.01, 'saved first');
    assert.equal(byId.get(first).category_id, cats[1].id);
    assert.equal(byId.get(second).category_id, cats[0].id);
  });

  test('delete, undo and redo, hide; the help lists the box keys', async () => {
    await page.keyboard.press('Delete');
    assert.equal(await countIs(1), 1);
    await page.keyboard.press('Control+z');
    assert.equal(await countIs(2), 2);
    await page.keyboard.press('Control+Shift+Z');
    assert.equal(await countIs(1), 1);
    await page.keyboard.press('Control+z');
    assert.equal(await countIs(2), 2);
    assert.equal((await saved()).length, 2);

    await page.keyboard.press('h');
    await page.waitForSelector('[data-testid=box-canvas][data-hidden=true]');
    await page.keyboard.press('h');
    await page.waitForSelector('[data-testid=box-canvas][data-hidden=false]');

    await page.keyboard.press('?');
    const help = await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).textContent();
    for (const text of ['Delete the selected box', 'Undo', 'Redo', 'Hide or show every box', 'Select the next box', 'Move the selected box 10 px left']) {
      assert.ok(help.includes(text), `help lists "${text}"`);
    }
    await page.keyboard.press('Escape');
  });

  test('a reload in the middle of editing loses nothing', async () => {
    await drag([10, 10], [40, 40]);
    await page.keyboard.press('ArrowDown');
    // no wait for the save
    await page.reload();
    await page.waitForSelector('[data-testid=box-canvas][data-box-count="3"]', { timeout: 15_000 });
    const objs = await saved();
    assert.equal(objs.length, 3);
    assert.ok(objs.some((o) => Math.abs(o.bbox[0] - 10) < 1.5 && Math.abs(o.bbox[1] - 11) < 1.5 && Math.abs(o.bbox[2] - 30) < 1.5));
    // The replay after the reload is not a conflict with the labeler's own writes.
    await noConflictOnceSent();
  });

  test('a reload while a write is in flight: the newer write replayed goes on top of it, no conflict', async () => {
    await saved();
    await page.keyboard.press('Tab');
    const id = await page.getAttribute('[data-testid=box-canvas]', 'data-selected');
    const start = await selectedBbox();
    // The first nudge reaches the server, but its answer is held back.
    let landed = null;
    const url = `**/api/v1/assets/${assets[0].id}/annotation`;
    await page.route(url, (route) => {
      if (route.request().method() === 'PUT' && !landed) landed = route.fetch();
      else void route.continue();
    });
    await page.keyboard.press('ArrowRight');
    await settle(() => landed, (v) => v !== null);
    assert.ok(landed, 'the first nudge was sent');
    assert.equal((await landed).status(), 200);
    await page.keyboard.press('ArrowRight'); // queued while the first is in flight
    await expectBbox([start[0] + 2, start[1], start[2], start[3]], 0.01, 'nudged twice');
    await page.reload();
    await page.unroute(url);
    await page.waitForSelector('[data-testid=box-canvas][data-box-count="3"]', { timeout: 15_000 });
    await noConflictOnceSent();
    const box = (await saved()).find((o) => o.id === id);
    near(box.bbox, [start[0] + 2, start[1], start[2], start[3]], 0.01, 'both nudges saved');
  });

  test('zooming in the middle of a drag keeps the box in image pixels', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=all&asset=${assets[2].id}`);
    await page.waitForSelector(`[data-testid=viewer-img][data-asset-id="${assets[2].id}"]`);
    // What the reload left behind is replayed by this page too: none of it
    // is an older write of image 1 refused after the newer one landed.
    await noConflictOnceSent();
    await page.waitForSelector('[data-testid=box-canvas][data-box-count="0"]');
    await page.mouse.move(...(await at(200, 150)));
    await page.mouse.down();
    await page.mouse.move(...(await at(220, 160)), { steps: 2 });
    // zoom in, drawing still (a wheel that comes before the frame has settled
    // is sent again: the point is that zoom works mid-drag)
    const zoomed = () => page.evaluate(() => /scale\((?!1\))/.test(document.querySelector('.viewer-frame')?.style.transform ?? ''));
    for (let i = 0; i < 10 && !(await zoomed()); i++) {
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(100);
    }
    await page.waitForFunction(() => /scale\((?!1\))/.test(document.querySelector('.viewer-frame')?.style.transform ?? ''));
    await page.mouse.move(...(await at(240, 180)), { steps: 2 }); // the same image point, now zoomed
    await page.mouse.up();
    assert.equal(await countIs(1), 1);
    await expectBbox([200, 150, 40, 30], 1.5, 'drawn while zooming');
    await page.keyboard.press('0'); // fit again
  });

  test('"no objects" is an answer of its own; the review grid draws the boxes', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=all&asset=${assets[1].id}`);
    await page.waitForSelector(`[data-testid=viewer-img][data-asset-id="${assets[1].id}"]`);
    await page.waitForSelector('[data-testid=box-canvas]');
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid=save-indicator][data-status=saved]');
    const ann = await api('GET', `/api/v1/assets/${assets[1].id}/annotation`);
    assert.equal(ann.status, 'labeled');
    assert.deepEqual(ann.payload, { type: 'boxes', objects: [] });

    await page.goto(`${srv.url}/projects/${project.id}/review?filter=all`);
    // the image with 3 boxes and the one drawn while zooming; the "no objects" one has none
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=box-overlay]').length === 2);
    const counts = await page.locator('[data-testid=box-overlay]').evaluateAll((els) => els.map((e) => Number(e.dataset.boxCount)));
    assert.deepEqual(counts.sort(), [1, 3]);
  });

  test('a reviewer fixes a box in place on the review screen, with the same editor', async () => {
    const beforeFix = await saved();
    await page.locator(`[role=gridcell][title^="${assets[0].file_name}"]`).click();
    await page.waitForSelector('[data-testid=box-fix] [data-testid=box-canvas][data-box-count="3"]');
    const r = await page.locator('[data-testid=box-fix] [data-testid=box-canvas]').boundingBox();
    const p = (x, y) => [r.x + (x * r.width) / W, r.y + (y * r.height) / H];
    const target = beforeFix.find((o) => o.bbox[0] > 200); // the box drawn at (250, 200)
    const [cx, cy] = [target.bbox[0] + target.bbox[2] / 2, target.bbox[1] + target.bbox[3] / 2];
    await page.mouse.move(...p(cx, cy));
    await page.mouse.down();
    await page.mouse.move(...p(cx - 40, cy - 40), { steps: 4 });
    await page.mouse.up();
    const moved = await settle(saved, (objs) => objs.find((o) => o.id === target.id)?.bbox[0] < target.bbox[0] - 20, 5000);
    const fixed = moved.find((o) => o.id === target.id);
    near(fixed.bbox, [target.bbox[0] - 40, target.bbox[1] - 40, target.bbox[2], target.bbox[3]], 3, 'fixed in review');
    assert.equal(moved.length, 3);
  });
});
