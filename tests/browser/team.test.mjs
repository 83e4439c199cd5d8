/* global document, window, getComputedStyle, Touch, TouchEvent */
// A team labels together, at three window sizes (1440x900, 1280x720 and a
// 390x844 phone): a write made stale by another labeler is refused and the
// app shows who changed the image and what they chose (keep theirs / apply
// mine, each checked in the database); Ctrl+Z and Ctrl+Shift+Z undo and redo
// across images; F flags an image needs_review; the labeling screen fits the
// window (viewer visible, no sideways scroll, no page scroll) and a phone
// labels by tap and swipe. Screenshots of each main screen are saved in
// build/screenshots/ (or $SCREENSHOT_DIR) for a person to look at.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { PASSWORD, apiAs, labelsOf, startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1280, height: 720 },
  { name: 'phone', width: 390, height: 844 },
];
const SHOT_DIR = process.env.SCREENSHOT_DIR || new URL('../../build/screenshots/', import.meta.url).pathname;
const N = 8;

let session, srv, page, api, bob;
const projects = {};

const currentId = () => page.locator('[data-testid=viewer-img]').getAttribute('data-asset-id').then(Number);
const waitSaved = () => page.waitForSelector('[data-testid=save-indicator][data-status=saved]', { timeout: 15_000 });
const labels = (p) => labelsOf(api, p.id);

async function openLabel(p, query = 'filter=all') {
  await page.goto(`${srv.url}/projects/${p.id}/label?${query}`);
  await page.waitForSelector('[data-testid=viewer-img]');
}

async function waitCurrent(id) {
  await page.waitForFunction((want) => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId) === want, id);
}

/** The page's sizes: the document must not be wider (or, on the labeling screen, taller) than the window. */
const pageBox = () =>
  page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    innerWidth: window.innerWidth,
    innerHeight: window.innerHeight,
  }));

async function waitFor(cond, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function swipe(dx) {
  await page.evaluate((d) => {
    const v = document.querySelector('.viewer');
    const r = v.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    const t = (cx) => new Touch({ identifier: 1, target: v, clientX: cx, clientY: y });
    v.dispatchEvent(new TouchEvent('touchstart', { bubbles: true, touches: [t(x)], changedTouches: [t(x)] }));
    v.dispatchEvent(new TouchEvent('touchend', { bubbles: true, touches: [], changedTouches: [t(x + d)] }));
  }, dx);
}

describe('a team labels together', () => {
  before(async () => {
    session = await startSession({
      setup: async (s, token, a) => {
        [srv, api] = [s, a];
        bob = apiAs(s, await s.addUser('bob', { admin: true, password: PASSWORD }));
        for (const size of SIZES) {
          const p = await a('POST', '/api/v1/projects', { name: `Team ${size.name}` });
          const cats = [];
          for (const name of ['cat', 'dog', 'bird']) cats.push(await a('POST', `/api/v1/projects/${p.id}/categories`, { name }));
          // 3:2 images, small enough that the viewer scales them up
          await uploadPngs(s, token, p.id, N, { w: 90, h: 60 });
          const ids = [...(await labelsOf(a, p.id)).keys()].sort((x, y) => x - y);
          projects[size.name] = { ...p, cats, ids };
        }
      },
    });
    ({ page } = session);
    await mkdir(SHOT_DIR, { recursive: true });
  });

  after(async () => {
    await session?.close();
  });

  for (const size of SIZES) {
    describe(`at ${size.width}x${size.height}`, () => {
      before(async () => {
        await page.setViewportSize({ width: size.width, height: size.height });
      });

      test('the labeling screen fits the window: viewer visible, no sideways or page scroll', async () => {
        const p = projects[size.name];
        await openLabel(p);
        const box = await page.locator('.viewer').boundingBox();
        assert.ok(box.width > 200 && box.height > 150, `viewer is ${box.width}x${box.height}`);
        const img = await page.locator('[data-testid=viewer-img]').boundingBox();
        assert.ok(img.width > 100 && img.height > 60, `image is ${img.width}x${img.height}`);
        const b = await pageBox();
        assert.ok(b.scrollWidth <= b.innerWidth, `page is ${b.scrollWidth} px wide in a ${b.innerWidth} px window`);
        assert.ok(b.scrollHeight <= b.innerHeight, `page is ${b.scrollHeight} px tall in a ${b.innerHeight} px window`);
        // a small image scaled up says so
        assert.match(await page.locator('[data-testid=viewer-upscaled]').innerText(), /scaled up/);
        // the label buttons and Skip are reached with Tab
        const first = await currentId();
        await page.locator('.label-btn').first().focus();
        assert.equal(await page.evaluate(() => document.activeElement.classList.contains('label-btn')), true);
        assert.equal(await page.locator('.label-btn').first().getAttribute('tabindex'), null);
        if (size.name === 'phone') {
          // the categories are below the viewer, as large tap targets
          const btn = await page.locator('.label-btn').first().boundingBox();
          assert.ok(btn.y >= box.y + box.height - 1, 'labels sit below the viewer');
          assert.ok(btn.height >= 44, `tap target is ${btn.height} px tall`);
        }
        await page.screenshot({ path: `${SHOT_DIR}/label-${size.name}.png` });
        // label by tap (a click on the button), which moves on
        await page.locator('.label-btn', { hasText: 'dog' }).click();
        await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId) !== prev, first);
        await waitSaved();
        assert.deepEqual((await labels(p)).get(first), { status: 'labeled', cats: [p.cats[1].id] });
        // swipe right goes back, swipe left goes on
        const second = await currentId();
        await swipe(120);
        await waitCurrent(first);
        await swipe(-120);
        await waitCurrent(second);
        // focus mode hides the header and the tabs, and the layout still fits
        await page.keyboard.press('z');
        await page.waitForSelector('.topbar', { state: 'hidden' });
        assert.equal(await page.locator('.tabs').isVisible(), false);
        const fb = await pageBox();
        assert.ok(fb.scrollHeight <= fb.innerHeight && fb.scrollWidth <= fb.innerWidth);
        await page.screenshot({ path: `${SHOT_DIR}/label-focus-${size.name}.png` });
        await page.keyboard.press('z');
        await page.waitForSelector('.topbar');
      });

      test('a write made stale by another labeler shows who and what, and keep theirs / apply mine both hold', async () => {
        const p = projects[size.name];
        const [a, b] = [p.ids[2], p.ids[3]];
        await openLabel(p, `filter=all&asset=${a}`);
        await waitCurrent(a);
        // bob labels the image after this tab read it
        await bob('PUT', `/api/v1/assets/${a}/annotation`, { category_ids: [p.cats[2].id] });
        await page.keyboard.press('1'); // cat, on the stale revision
        const dialog = page.locator('[data-testid=conflict-dialog]');
        await dialog.waitFor();
        await page.waitForFunction(() => /changed by bob/.test(document.querySelector('#conflict-title')?.textContent ?? ''));
        assert.match(await dialog.locator('[data-testid=conflict-theirs]').innerText(), /bird/);
        assert.match(await dialog.locator('[data-testid=conflict-theirs]').innerText(), /Labeled/);
        assert.match(await dialog.locator('[data-testid=conflict-mine]').innerText(), /cat/);
        // nothing was overwritten silently
        assert.deepEqual((await labels(p)).get(a), { status: 'labeled', cats: [p.cats[2].id] });
        if (size.name === 'phone') await page.screenshot({ path: `${SHOT_DIR}/conflict-${size.name}.png` });
        await dialog.getByRole('button', { name: 'Apply mine' }).click();
        await dialog.waitFor({ state: 'detached' });
        await waitSaved();
        assert.deepEqual((await labels(p)).get(a), { status: 'labeled', cats: [p.cats[0].id] });

        // the other choice: bob flags b, this tab labels it stale, keeps theirs
        await page.goto(`${srv.url}/projects/${p.id}/label?filter=all&asset=${b}`);
        await waitCurrent(b);
        await bob('PUT', `/api/v1/assets/${b}/annotation`, { status: 'skipped' });
        await page.keyboard.press('2');
        await dialog.waitFor();
        assert.match(await dialog.locator('[data-testid=conflict-theirs]').innerText(), /Skipped/);
        await dialog.getByRole('button', { name: 'Keep theirs' }).click();
        await dialog.waitFor({ state: 'detached' });
        await waitSaved();
        assert.deepEqual((await labels(p)).get(b), { status: 'skipped', cats: [] });
        // the screen shows theirs after the choice
        await page.keyboard.press('ArrowLeft'); // the key had moved on
        await waitCurrent(b);
        await page.waitForSelector('[data-testid=current-status][data-status=skipped]');
      });

      test('Ctrl+Z and Ctrl+Shift+Z undo and redo across images, and the recent list keeps them', async () => {
        const p = projects[size.name];
        const [x, y] = [p.ids[4], p.ids[5]];
        await openLabel(p, `filter=all&asset=${x}`);
        await waitCurrent(x);
        await page.keyboard.press('1');
        await waitCurrent(y);
        await page.keyboard.press('2');
        await waitSaved();
        let l = await labels(p);
        assert.equal(l.get(x).status, 'labeled');
        assert.equal(l.get(y).status, 'labeled');
        await page.keyboard.press('Control+z');
        await waitCurrent(y);
        await page.keyboard.press('Control+z');
        await waitCurrent(x); // the undo went back to the other image
        await waitSaved();
        l = await labels(p);
        assert.equal(l.get(x).status, 'unlabeled');
        assert.equal(l.get(y).status, 'unlabeled');
        await page.keyboard.press('Control+Shift+Z');
        await waitSaved();
        assert.deepEqual((await labels(p)).get(x), { status: 'labeled', cats: [p.cats[0].id] });
        assert.equal((await labels(p)).get(y).status, 'unlabeled');
        // an undo does not overwrite someone else's later change either
        await bob('PUT', `/api/v1/assets/${x}/annotation`, { category_ids: [p.cats[2].id] });
        await page.keyboard.press('Control+z');
        await page.locator('[data-testid=conflict-dialog]').waitFor();
        await page.getByRole('button', { name: 'Keep theirs' }).click();
        await waitSaved();
        assert.deepEqual((await labels(p)).get(x), { status: 'labeled', cats: [p.cats[2].id] });
        // the recent list survives a reload
        if (size.name !== 'phone') {
          await page.reload();
          await page.waitForSelector('[data-testid=viewer-img]');
          await page.locator('[data-testid=recent-toggle]').click();
          const names = await page.locator('[data-testid=recent-list] .queue-id').allInnerTexts();
          assert.ok(names.includes(`#${x}`), `recent: ${names}`);
        }
      });

      test('F flags the image needs review with an optional note, shown with its own icon in the grid and in review', async () => {
        const p = projects[size.name];
        const z = p.ids[6];
        await openLabel(p, `filter=all&asset=${z}`);
        await waitCurrent(z);
        await page.keyboard.press('3');
        await page.keyboard.press('ArrowLeft');
        await waitCurrent(z);
        await waitSaved(); // the label is in before F (its write raced the check below under load)
        await page.keyboard.press('f');
        // F asks why; Enter flags with the note (Esc would flag without one)
        await page.locator('[data-testid=flag-note] input').waitFor();
        // the note field takes the focus itself: typing goes there
        await page.waitForFunction(() => document.activeElement?.closest('[data-testid=flag-note]') != null);
        assert.equal((await labels(p)).get(z).status, 'labeled', 'nothing written while the note is typed');
        const note = `tail looks odd ${size.name}`;
        await page.keyboard.type(note);
        await page.keyboard.press('Enter');
        await waitSaved();
        assert.deepEqual((await labels(p)).get(z), { status: 'needs_review', cats: [p.cats[2].id] });
        assert.equal((await api('GET', `/api/v1/assets/${z}/annotation`)).note, note);
        // the review preview shows the note and the history
        await page.goto(`${srv.url}/projects/${p.id}/review?filter=needs_review`);
        const flagged = page.locator(`.ag-tile:has(img[src*="assets/${z}/"])`);
        await flagged.waitFor();
        await flagged.focus();
        await page.keyboard.press('Enter');
        await page.locator('[data-testid=preview-note]').filter({ hasText: note }).waitFor();
        assert.match(await page.locator('[data-testid=preview-history]').innerText(), /Labeled → Needs review/);
        await page.keyboard.press('Escape');
        await page.goto(`${srv.url}/projects/${p.id}/assets`);
        const tile = page.locator(`.ag-tile[data-asset-id="${z}"], .ag-tile:has(img[alt$=".png"])`).first();
        await tile.waitFor();
        const badge = page.locator('.ag-status.st-needs_review').first();
        await badge.waitFor();
        assert.equal(await badge.locator('.st-icon').innerText(), '⚑');
        const b = await pageBox();
        assert.ok(b.scrollWidth <= b.innerWidth, `assets page is ${b.scrollWidth} px wide`);
      });

      test('review by keyboard: arrows move, Space selects, A approves, R sends back, 1..9 relabel, Enter previews', async () => {
        const p = projects[size.name];
        // two labeled images to review (ids[0] was labeled dog by tap above)
        await api('PUT', `/api/v1/assets/${p.ids[1]}/annotation`, { category_ids: [p.cats[0].id] });
        await page.goto(`${srv.url}/projects/${p.id}/review?filter=labeled`);
        const first = page.locator('.ag-tile[data-index="0"]');
        await first.waitFor();
        // contain, not crop: the 3:2 image keeps its sides
        assert.equal(await first.locator('img').evaluate((img) => getComputedStyle(img).objectFit), 'contain');
        await first.focus();
        const idAt = (i) => page.locator(`.ag-tile[data-index="${i}"] img`).getAttribute('src').then((src) => Number(src.match(/assets\/(\d+)/)[1]));
        const [a0, a1] = [await idAt(0), await idAt(1)];
        await page.keyboard.press('a'); // approve the active tile (none selected)
        await waitFor(async () => (await labels(p)).get(a0).status === 'approved', 'A to approve');
        await page.keyboard.press('ArrowRight');
        await page.keyboard.press(' '); // select
        await page.waitForSelector('.ag-tile[data-index="1"].ag-selected');
        await page.keyboard.press('r'); // needs_review on the selection
        await waitFor(async () => (await labels(p)).get(a1).status === 'needs_review', 'R to send back');
        assert.equal((await labels(p)).get(a0).status, 'approved');
        await page.waitForFunction(() => !document.querySelector('.ag-tile[data-index="1"] .st-labeled'));
        await page.keyboard.press('3'); // relabel in place: bird
        await waitFor(async () => (await labels(p)).get(a1).cats[0] === p.cats[2].id, '3 to relabel');
        await page.waitForSelector('.ag-tile[data-index="1"] .ag-label:text("bird")');
        await page.keyboard.press('Enter');
        const preview = page.locator('[data-testid=review-preview]');
        await preview.waitFor();
        const img = await preview.locator('img').boundingBox();
        assert.ok(img.width > 300, `preview is ${img.width} px wide`);
        await page.screenshot({ path: `${SHOT_DIR}/review-preview-${size.name}.png` });
        await page.keyboard.press('Escape');
        await preview.waitFor({ state: 'detached' });
      });

      test('every main screen fits the width; screenshots saved', async () => {
        const p = projects[size.name];
        for (const tab of ['assets', 'review', 'categories', 'exports', 'members']) {
          await page.goto(`${srv.url}/projects/${p.id}/${tab}`);
          await page.waitForSelector('.tabs');
          await page.waitForTimeout(150);
          const b = await pageBox();
          assert.ok(b.scrollWidth <= b.innerWidth, `${tab} is ${b.scrollWidth} px wide in ${b.innerWidth}`);
          await page.screenshot({ path: `${SHOT_DIR}/${tab}-${size.name}.png` });
        }
        for (const path of ['/', '/account', '/users']) {
          await page.goto(`${srv.url}${path}`);
          await page.waitForTimeout(200);
          const b = await pageBox();
          assert.ok(b.scrollWidth <= b.innerWidth, `${path} is ${b.scrollWidth} px wide in ${b.innerWidth}`);
          await page.screenshot({ path: `${SHOT_DIR}/${path === '/' ? 'projects' : path.slice(1)}-${size.name}.png` });
        }
      });
    });
  }

  describe('small things', () => {
    before(async () => {
      await page.setViewportSize({ width: 1280, height: 720 });
    });

    test('skip link, no ring left on the Label tab, digits work with the queue select focused', async () => {
      const p = projects.laptop;
      await page.goto(`${srv.url}/projects/${p.id}/categories`);
      await page.waitForSelector('.tabs');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
      await page.locator('.tab', { hasText: 'Label' }).click();
      await page.waitForSelector('[data-testid=viewer-img]');
      assert.equal(await page.evaluate(() => Boolean(document.activeElement.closest('.tabs'))), false);
      const id = await currentId();
      await page.locator('.queue-filter select').focus();
      await page.keyboard.press('2');
      await waitSaved();
      assert.deepEqual((await labels(p)).get(id), { status: 'labeled', cats: [p.cats[1].id] });
    });

    test('the upload panel floats over the grid and closes; one scrollbar; the export counts stay with no status chosen', async () => {
      const p = projects.laptop;
      await page.goto(`${srv.url}/projects/${p.id}/assets`);
      const grid = page.locator('.ag-scroller');
      await grid.waitFor();
      const before = await grid.boundingBox();
      await page.getByRole('button', { name: 'Upload images or video' }).click();
      await page.waitForSelector('.upload-drawer');
      assert.deepEqual(await grid.boundingBox(), before);
      await page.keyboard.press('Escape');
      await page.waitForSelector('.upload-drawer', { state: 'detached' });
      const b = await pageBox();
      assert.ok(b.scrollHeight <= b.innerHeight, `assets page is ${b.scrollHeight} px tall in ${b.innerHeight}`);

      await page.goto(`${srv.url}/projects/${p.id}/exports`);
      const approved = page.locator('.export-status', { hasText: 'Approved' });
      await page.waitForFunction(() => [...document.querySelectorAll('.export-status .badge')].every((e) => e.textContent !== '–'));
      await approved.locator('input').uncheck();
      await page.waitForTimeout(300);
      const shown = await page.locator('.export-status .badge').allInnerTexts();
      assert.ok(shown.every((t) => /^\d+$/.test(t)), `counts: ${shown}`);
    });
  });
});
