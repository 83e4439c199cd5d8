/* global document */
// The polygon tool in headless Chromium: a segmentation project made on the
// projects page; polygons drawn point by point with the mouse (closed on
// the first point or with Enter), Backspace and Escape while drawing, a
// vertex moved, inserted on an edge and deleted, an object moved with
// Shift-drag, a hole added, categories by number keys, polygons deleted with
// the panel's button and the keyboard, undone and redone; every edit
// autosaved and read back through the API; zoom and pan while drawing; a reload in
// the middle of editing loses nothing; the review grid and preview draw the
// polygons, and a reviewer moves a vertex in place.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const W = 400;
const H = 300;
const CANVAS = '[data-testid=polygon-canvas]';
let session, srv, api, page, project, cats, assets;

/** Screen position of image pixel (x, y) on the canvas `sel`. */
async function at(x, y, sel = CANVAS) {
  const r = await page.locator(sel).boundingBox();
  return [r.x + (x * r.width) / W, r.y + (y * r.height) / H];
}

async function click(x, y, sel) {
  await page.mouse.click(...(await at(x, y, sel)));
}

async function drag(from, to, sel) {
  const [ax, ay] = await at(...from, sel);
  const [bx, by] = await at(...to, sel);
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
const attr = (name, sel = CANVAS) => () => page.getAttribute(sel, name);
const countIs = async (n) => Number(await settle(attr('data-object-count'), (v) => Number(v) === n));
const attrIs = async (name, v) => settle(attr(name), (x) => x === v);

/** The image's objects as the server keeps them, once the save indicator says saved. */
async function saved(assetId = assets[0].id) {
  if (await page.locator('[data-testid=save-indicator]').count()) {
    await page.waitForSelector('[data-testid=save-indicator][data-status=saved]', { timeout: 30_000 });
  }
  const ann = await api('GET', `/api/v1/assets/${assetId}/annotation`);
  if (ann.payload) assert.equal(ann.payload.type, 'polygons');
  return ann.payload?.objects ?? [];
}

const near = (actual, expected, tol) => actual?.length === expected.length && actual.every((v, i) => Math.abs(v - expected[i]) <= tol);
function assertRing(actual, expected, what) {
  assert.ok(near(actual, expected, 1.5), `${what}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

describe('polygon tool', () => {
  before(async () => {
    session = await startSession();
    cats = [];
    ({ srv, api, page } = session);
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  after(async () => {
    await session?.close();
  });

  test('a segmentation project is made on the projects page', async () => {
    await page.goto(`${srv.url}/`);
    await page.getByLabel('New project name').fill('Cells');
    await page.getByLabel('Task type').selectOption('segmentation');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForSelector('.project-meta[data-task-type=segmentation]');
    assert.match(await page.locator('.project-meta').textContent(), /Polygons \(segmentation\)/);
    project = (await api('GET', '/api/v1/projects')).projects.find((p) => p.name === 'Cells');
    assert.equal(project?.task_type, 'segmentation');
    for (const name of ['cell', 'nucleus']) cats.push(await api('POST', `/api/v1/projects/${project.id}/categories`, { name }));
    assets = await uploadPngs(srv, session.token, project.id, 3, { w: W, h: H });
  });

  test('draw by mouse and keyboard; move, insert and delete vertices; move an object; all autosaved', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=all&asset=${assets[0].id}`);
    await page.waitForSelector(CANVAS);
    assert.equal(await countIs(0), 0);

    // A square closed by a click on its first point.
    for (const [x, y] of [[50, 50], [150, 50], [150, 150], [50, 150]]) await click(x, y);
    assert.equal(await attrIs('data-drawing', '4'), '4');
    await click(51, 51);
    assert.equal(await countIs(1), 1);
    const first = await page.getAttribute(CANVAS, 'data-selected');
    assert.equal(await page.getAttribute('[data-testid=selected-polygon]', 'data-category-id'), String(cats[0].id));

    // A triangle closed with Enter, then given the second category with 2.
    for (const [x, y] of [[250, 50], [350, 50], [300, 150]]) await click(x, y);
    await page.keyboard.press('Enter');
    assert.equal(await countIs(2), 2);
    const second = await page.getAttribute(CANVAS, 'data-selected');
    await page.keyboard.press('2');
    await settle(attr('data-category-id', '[data-testid=selected-polygon]'), (v) => v === String(cats[1].id));

    // Backspace takes the last point back while drawing; Escape drops the ring.
    for (const [x, y] of [[200, 200], [260, 200], [260, 260]]) await click(x, y);
    await page.keyboard.press('Backspace');
    assert.equal(await attrIs('data-drawing', '2'), '2');
    await page.keyboard.press('Escape');
    assert.equal(await attrIs('data-drawing', ''), '');
    assert.equal(await countIs(2), 2);

    // Edit the square: select it, drag a vertex, insert one on an edge and drag it, delete another.
    await click(100, 100);
    assert.equal(await attrIs('data-selected', first), first);
    await drag([150, 150], [180, 170]);
    await click(100, 50); // on the top edge: a new vertex there
    assert.equal(await attrIs('data-vertex', '0:1'), '0:1');
    await drag([100, 50], [100, 30]);
    await click(50, 150);
    assert.equal(await attrIs('data-vertex', '0:4'), '0:4');
    await page.keyboard.press('Delete');
    assert.equal(await attrIs('data-vertex', ''), '');
    // Shift-drag moves the whole square by (20, 10).
    await page.keyboard.down('Shift');
    await drag([90, 80], [110, 90]);
    await page.keyboard.up('Shift');

    const moved = [70, 60, 120, 40, 170, 60, 200, 180];
    let objs = await settle(saved, (o) => near(o.find((x) => x.id === first)?.polygons[0], moved, 1.5), 10_000);
    assert.equal(objs.length, 2);
    const byId = new Map(objs.map((o) => [o.id, o]));
    assertRing(byId.get(first).polygons[0], moved, 'edited square');
    assert.equal(byId.get(first).category_id, cats[0].id);
    assertRing(byId.get(second).polygons[0], [250, 50, 350, 50, 300, 150], 'triangle');
    assert.equal(byId.get(second).category_id, cats[1].id);

    // Undo the move, redo it.
    await page.keyboard.press('Control+z');
    objs = await settle(saved, (o) => near(o.find((x) => x.id === first)?.polygons[0], [50, 50, 100, 30, 150, 50, 180, 170], 1.5), 10_000);
    assertRing(objs.find((x) => x.id === first).polygons[0], [50, 50, 100, 30, 150, 50, 180, 170], 'undone');
    await page.keyboard.press('Control+Shift+Z');
    objs = await settle(saved, (o) => near(o.find((x) => x.id === first)?.polygons[0], moved, 1.5), 10_000);
    assertRing(objs.find((x) => x.id === first).polygons[0], moved, 'redone');
  });

  test('a hole in the selected polygon; delete by the panel and by the keyboard, undo; hide, fill, help', async () => {
    const first = await page.getAttribute(CANVAS, 'data-selected');
    await page.keyboard.press('r');
    for (const [x, y] of [[120, 80], [160, 80], [160, 120]]) await click(x, y);
    await page.keyboard.press('Enter');
    assert.equal(await attrIs('data-selected-rings', '2'), '2');
    let objs = await settle(saved, (o) => o.find((x) => x.id === first)?.polygons.length === 2, 10_000);
    assertRing(objs.find((x) => x.id === first).polygons[1], [120, 80, 160, 80, 160, 120], 'hole');

    // The triangle: selected by a click, deleted by the panel's button, back with Ctrl+Z.
    await click(300, 90);
    const second = await page.getAttribute(CANVAS, 'data-selected');
    assert.notEqual(second, first);
    await page.getByRole('button', { name: /^Del\s+Delete$/ }).click();
    assert.equal(await countIs(1), 1);
    await page.keyboard.press('Control+z');
    assert.equal(await countIs(2), 2);
    // Tab selects it again (the second in order), Delete removes it.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await attrIs('data-selected', second), second);
    await page.keyboard.press('Delete');
    assert.equal(await countIs(1), 1);
    objs = await settle(saved, (o) => o.length === 1, 10_000);
    assert.deepEqual(objs.map((o) => o.id), [first]);

    await page.keyboard.press('h');
    assert.equal(await attrIs('data-hidden', 'true'), 'true');
    await page.keyboard.press('h');
    await page.keyboard.press('o');
    assert.equal(await attrIs('data-filled', 'false'), 'false');
    await page.keyboard.press('o');

    await page.keyboard.press('?');
    const help = await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).textContent();
    for (const text of [
      'Close the ring',
      'Remove the last point',
      'Cancel the ring',
      'Delete the selected vertex',
      'Add a ring',
      'Hide or show every polygon',
      'Fill the polygons',
      'Undo',
      'Redo',
      'Insert a point on the selected polygon',
      'Move a whole polygon',
    ]) {
      assert.ok(help.includes(text), `help lists "${text}"`);
    }
    await page.keyboard.press('Escape');
    await page.waitForSelector('[role=dialog][aria-label="Keyboard shortcuts"]', { state: 'detached' });
    assert.equal(await countIs(1), 1); // Escape closed the help, nothing else
  });

  test('a reload in the middle of editing loses nothing', async () => {
    for (const [x, y] of [[250, 200], [330, 200], [330, 270]]) await click(x, y);
    await page.keyboard.press('Enter');
    await drag([330, 270], [340, 280]);
    // no wait for the save
    await page.reload();
    await page.waitForSelector(`${CANVAS}[data-object-count="2"]`, { timeout: 15_000 });
    const objs = await saved();
    assert.equal(objs.length, 2);
    assert.ok(objs.some((o) => near(o.polygons[0], [250, 200, 330, 200, 340, 280], 1.5)), JSON.stringify(objs));
  });

  test('a write from elsewhere in between: the conflict dialog says so, and theirs is kept and shown', async () => {
    const id = assets[1].id;
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=all&asset=${id}`);
    await page.waitForSelector(`[data-testid=viewer-img][data-asset-id="${id}"]`);
    await page.waitForSelector(`${CANVAS}[data-object-count="0"]`);
    for (const [x, y] of [[50, 50], [150, 50], [100, 120]]) await click(x, y);
    await page.keyboard.press('Enter');
    assert.equal((await settle(() => saved(id), (o) => o.length === 1, 10_000)).length, 1);
    // someone else writes two polygons on the revision this tab read
    const ann = await api('GET', `/api/v1/assets/${id}/annotation`);
    const theirs = [
      { id: 'x1', category_id: cats[1].id, polygons: [[200, 200, 260, 200, 230, 260]] },
      { id: 'x2', category_id: cats[1].id, polygons: [[300, 50, 380, 50, 380, 120, 300, 120]] },
    ];
    await api('PUT', `/api/v1/assets/${id}/annotation`, { payload: { type: 'polygons', objects: theirs }, revision: ann.revision });
    await drag([100, 120], [100, 140]); // an edit on the stale revision
    const dialog = page.locator('[data-testid=conflict-dialog]');
    await dialog.waitFor();
    assert.match(await dialog.locator('[data-testid=conflict-mine]').innerText(), /1 polygon/);
    assert.deepEqual((await api('GET', `/api/v1/assets/${id}/annotation`)).payload.objects.map((o) => o.id), ['x1', 'x2']);
    await dialog.getByRole('button', { name: 'Keep theirs' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await countIs(2), 2); // the editor shows theirs
    assert.deepEqual((await saved(id)).map((o) => o.id), ['x1', 'x2']);
  });

  test('zooming and panning while drawing keep the points in image pixels', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=all&asset=${assets[2].id}`);
    await page.waitForSelector(`[data-testid=viewer-img][data-asset-id="${assets[2].id}"]`);
    await page.waitForSelector(`${CANVAS}[data-object-count="0"]`);
    await click(200, 150);
    await click(240, 150);
    await page.mouse.move(...(await at(220, 170)));
    const zoomed = () => page.evaluate(() => /scale\((?!1\))/.test(document.querySelector('.viewer-frame')?.style.transform ?? ''));
    for (let i = 0; i < 10 && !(await zoomed()); i++) {
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(100);
    }
    assert.ok(await zoomed());
    // pan with the middle button, still drawing
    const frame = () => page.evaluate(() => document.querySelector('.viewer-frame')?.style.transform ?? '');
    const before = await frame();
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(...(await at(200, 150)), { steps: 3 });
    await page.mouse.up({ button: 'middle' });
    assert.notEqual(await settle(frame, (v) => v !== before), before);
    assert.equal(await page.getAttribute(CANVAS, 'data-drawing'), '2');
    await click(220, 180); // placed on the zoomed, panned frame
    await page.keyboard.press('Enter');
    assert.equal(await countIs(1), 1);
    const objs = await settle(() => saved(assets[2].id), (o) => o.length === 1, 10_000);
    assertRing(objs[0].polygons[0], [200, 150, 240, 150, 220, 180], 'drawn while zoomed and panned');
    await page.keyboard.press('0');
  });

  test('the review grid and preview draw the polygons; a reviewer moves a vertex in place', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/review?filter=all`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=polygon-overlay]').length === 3);
    const counts = await page.locator('[data-testid=polygon-overlay]').evaluateAll((els) => els.map((e) => Number(e.dataset.objectCount)));
    assert.deepEqual(counts.sort(), [1, 2, 2]);

    const before = await saved();
    const target = before.find((o) => o.polygons.length === 1 && o.polygons[0][0] === 250);
    await page.locator(`[role=gridcell][title^="${assets[0].file_name}"]`).click();
    const FIX = '[data-testid=polygon-fix] [data-testid=polygon-canvas]';
    await page.waitForSelector(`${FIX}[data-object-count="2"]`);
    await click(290, 240, FIX); // inside the triangle: select it
    await settle(attr('data-selected', FIX), (v) => v === target.id);
    await drag([250, 200], [240, 190], FIX);
    const objs = await settle(saved, (o) => near(o.find((x) => x.id === target.id)?.polygons[0], [240, 190, 330, 200, 340, 280], 1.5), 10_000);
    assertRing(objs.find((x) => x.id === target.id).polygons[0], [240, 190, 330, 200, 340, 280], 'fixed in review');
    assert.equal(objs.length, 2);

    // The large preview draws them too.
    await page.locator(`[role=gridcell][title^="${assets[0].file_name}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=review-preview] [data-testid=polygon-overlay][data-object-count="2"]');
  });
});
