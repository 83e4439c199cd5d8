/* global document */
// The labeling screen, end to end in headless Chromium: 500 images labeled
// with the keyboard alone, a reload in the middle (unsent writes replayed
// from IndexedDB), every label read back through the API and the on-screen
// counters equal to /stats; then 20 labels while offline, all saved once
// the connection is back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiAs, labelsOf, startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const N = 500;
const SHOT_DIR = process.env.SCREENSHOT_DIR || '/tmp';

let session, srv, browser, page, token, project, cats;

const dbRows = () => labelsOf(apiAs(srv, token), project.id);

async function shownCounters() {
  return page.locator('[data-testid=status-counters] dd').evaluateAll((els) =>
    Object.fromEntries(els.map((e) => [e.dataset.status, Number(e.textContent.replace(/,/g, ''))])));
}

const currentId = () => page.locator('[data-testid=viewer-img]').getAttribute('data-asset-id').then(Number);

async function waitSaved() {
  await page.waitForSelector('[data-testid=save-indicator][data-status=saved]', { timeout: 30_000 });
}

// The key a labeler presses for an asset: 1..4 by id, every fifth skipped.
const keyFor = (id) => (id % 5 === 0 ? 's' : String((id % 4) + 1));

/** Labels with the keyboard until every id in `ids` got its key once. */
async function labelAll(ids, key, { reloadAfter = 0 } = {}) {
  const done = new Set();
  let presses = 0;
  while (done.size < ids.size) {
    const id = await currentId();
    assert.ok(ids.has(id), `asset ${id} is not in the queue under test`);
    await page.keyboard.press(key(id));
    done.add(id);
    presses++;
    if (presses === reloadAfter) {
      // in the middle, without waiting for the saves: unsent writes must survive
      await page.reload();
      await page.waitForSelector('[data-testid=viewer-img]');
      continue;
    }
    if (done.size < ids.size) {
      await page.waitForFunction((prev) => {
        const img = document.querySelector('[data-testid=viewer-img]');
        return img && Number(img.dataset.assetId) !== prev;
      }, id).catch(() => undefined); // the last item of a page does not move
    }
  }
  return presses;
}

describe('labeling screen', () => {
  before(async () => {
    session = await startSession({
      setup: async (s, t) => {
        [srv, token] = [s, t];
        project = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Pets' } })).json;
        cats = [];
        for (const name of ['cat', 'dog', 'bird', 'horse']) {
          cats.push((await srv.req('POST', `/api/v1/projects/${project.id}/categories`, { token, body: { name } })).json);
        }
        await uploadPngs(srv, token, project.id, N, { batch: 100 });
      },
    });
    ({ browser, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  test('500 images labeled by keyboard, with a reload in the middle, are all in the database', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=unlabeled`);
    await page.waitForSelector('[data-testid=viewer-img]');
    assert.match(await page.getByTestId('queue-position').innerText(), /^1 \/ 500$/);
    const ids = new Set((await dbRows()).keys());
    assert.equal(ids.size, N);

    await labelAll(ids, keyFor, { reloadAfter: 250 });
    await waitSaved();

    const rows = await dbRows();
    for (const id of ids) {
      const k = keyFor(id);
      const want = k === 's' ? { status: 'skipped', cats: [] } : { status: 'labeled', cats: [cats[Number(k) - 1].id] };
      assert.deepEqual(rows.get(id), want, `asset ${id}`);
    }
    // the counters on screen match /stats once everything is acknowledged
    const stats = (await srv.req('GET', `/api/v1/projects/${project.id}/stats`, { token })).json;
    assert.equal(stats.counts.skipped, N / 5);
    assert.equal(stats.counts.labeled, N - N / 5);
    await page.waitForFunction((want) => {
      const got = {};
      for (const dd of document.querySelectorAll('[data-testid=status-counters] dd')) got[dd.dataset.status] = Number(dd.textContent.replace(/,/g, ''));
      return Object.entries(want).every(([k, v]) => got[k] === v);
    }, { unlabeled: stats.counts.unlabeled, labeled: stats.counts.labeled, skipped: stats.counts.skipped, needs_review: 0, approved: 0 });
    const shown = await shownCounters();
    for (const k of ['unlabeled', 'labeled', 'skipped', 'needs_review', 'approved']) assert.equal(shown[k], stats.counts[k], k);
    // and the per-category counts in the label panel too
    for (const c of stats.per_category) {
      assert.equal(Number(await page.locator(`[data-count-for="${c.category_id}"]`).innerText()), c.count);
    }
    await page.screenshot({ path: `${SHOT_DIR}/labeling-500.png` });
    assert.deepEqual(browser.errors.filter((e) => !/401/.test(e)), []);
  });

  test('20 labels made offline are saved when the connection comes back', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=skipped`);
    await page.waitForSelector('[data-testid=viewer-img]');
    const skipped = [...(await dbRows())].filter(([, r]) => r.status === 'skipped').map(([id]) => id).slice(0, 20);
    await page.context().setOffline(true);
    await labelAll(new Set(skipped), () => '4');
    await page.waitForSelector('[data-testid=save-indicator][data-status=offline]');
    assert.match(await page.getByTestId('save-indicator').innerText(), /Offline/);
    let rows = await dbRows();
    assert.ok(skipped.every((id) => rows.get(id).status === 'skipped'), 'nothing reached the server while offline');

    await page.context().setOffline(false);
    await waitSaved();
    rows = await dbRows();
    for (const id of skipped) assert.deepEqual(rows.get(id), { status: 'labeled', cats: [cats[3].id] }, `asset ${id}`);
  });

  test('the help overlay lists the commands and the keys', async () => {
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    const text = await dialog.innerText();
    for (const s of ['cat', 'dog', 'bird', 'horse', 'Skip', 'Next asset', 'Previous asset', 'Zoom in', 'Zoom out', 'Fit the image']) {
      assert.ok(text.includes(s), s);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // the zoom keys listed there work through the same list
    const info = page.locator('.viewer-info');
    // the line is redrawn after the key: wait for it (up to 5 s) before judging
    const shows = async (re, want = true) => {
      const until = Date.now() + 5000;
      let text = await info.innerText();
      while (re.test(text) !== want && Date.now() < until) {
        await page.waitForTimeout(50);
        text = await info.innerText();
      }
      assert.equal(re.test(text), want, `viewer info "${text}" against ${re}`);
    };
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await shows(/· 156%$/);
    await page.keyboard.press('-');
    await shows(/· 125%$/);
    await page.keyboard.press('0');
    await shows(/%/, false);
  });
});
