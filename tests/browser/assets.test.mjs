// The Assets tab end to end: drop 120 images (and two bad files) onto the
// upload panel, watch them go in, see the failures with their reasons, and
// find every image in the virtualized grid with the right counts.
import assert from 'node:assert/strict';
/* global DataTransfer, document */
import { after, before, describe, test } from 'node:test';
import { makeJpegs } from '../lib/images.mjs';
import { startSession } from '../lib/session.mjs';

const SHOT_DIR = process.env.SCREENSHOT_DIR || '/tmp';

let session, srv, browser, page, projectId;

describe('assets tab', () => {
  before(async () => {
    session = await startSession({
      name: 'uploader',
      setup: async (_srv, _token, api) => {
        projectId = (await api('POST', '/api/v1/projects', { name: 'Street scenes' })).id;
      },
    });
    ({ srv, browser, page } = session);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  after(async () => {
    await session?.close();
  });

  test('120 images dropped on the upload panel all appear in the grid with the right counts', async () => {
    const imgs = await makeJpegs(120, { w: 160, h: 120, start: 40, prefix: 'street' });
    await page.goto(`${srv.url}/projects/${projectId}/assets`);
    const drop = page.getByTestId('drop-zone');
    await drop.waitFor();

    const payload = [
      ...imgs.map((f) => ({ name: f.name, type: 'image/jpeg', b64: f.bytes.toString('base64') })),
      { name: 'notes.txt', type: 'text/plain', b64: Buffer.from('not an image').toString('base64') },
      { name: 'empty.jpg', type: 'image/jpeg', b64: '' },
    ];
    const dt = await page.evaluateHandle((files) => {
      const d = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        d.items.add(new File([bytes], f.name, { type: f.type }));
      }
      return d;
    }, payload);
    await drop.dispatchEvent('dragover', { dataTransfer: dt });
    await drop.dispatchEvent('drop', { dataTransfer: dt });

    const summary = page.getByTestId('upload-summary');
    await summary.filter({ hasText: /Finished/ }).waitFor({ timeout: 60_000 });
    assert.match(await summary.innerText(), /120 added · 2 failed/);
    const errors = page.getByTestId('upload-errors');
    assert.match(await errors.innerText(), /notes\.txt[\s\S]*not an image/i);
    assert.match(await errors.innerText(), /empty\.jpg[\s\S]*empty/i);
    // Both were refused for what they hold: sending them again cannot help.
    assert.equal(await page.getByRole('button', { name: /^Retry/ }).count(), 0);

    await page.getByTestId('asset-count').filter({ hasText: '120 assets' }).waitFor();
    const allTab = page.locator('[data-filter="all"]');
    assert.match(await allTab.innerText(), /All\s*120/);
    assert.match(await page.locator('[data-filter="unlabeled"]').innerText(), /Unlabeled\s*120/);
    assert.match(await page.locator('[data-filter="approved"]').innerText(), /Approved\s*0/);
    assert.match(await page.locator('[data-filter="needs_review"]').innerText(), /Needs review\s*0/);
    assert.match(await page.locator('[data-filter="labeled"]').innerText(), /Labeled\s*0/);

    // Virtualized: only the tiles in view are in the DOM, and they load.
    const grid = page.getByRole('grid');
    await grid.locator('img').first().waitFor();
    const shownAtTop = await grid.locator('img').count();
    assert.ok(shownAtTop > 0 && shownAtTop < 120, `tiles in the DOM at the top: ${shownAtTop}`);
    await page.waitForFunction(() => {
      const imgsIn = [...document.querySelectorAll('[role="grid"] img')];
      return imgsIn.length > 0 && imgsIn.slice(0, 6).every((i) => i.complete && i.naturalWidth > 0);
    });
    await page.screenshot({ path: `${SHOT_DIR}/assets-grid.png` });

    // Scrolling through the whole grid shows every image exactly once.
    const seen = new Set();
    for (let i = 0; i < 60; i++) {
      for (const n of await grid.locator('img').evaluateAll((els) => els.map((e) => e.alt))) seen.add(n);
      const atEnd = await grid.evaluate((el) => {
        el.scrollTop += el.clientHeight * 0.8;
        return el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
      });
      await page.waitForTimeout(60);
      if (atEnd && i > 0) {
        for (const n of await grid.locator('img').evaluateAll((els) => els.map((e) => e.alt))) seen.add(n);
        break;
      }
    }
    assert.deepEqual([...seen].sort(), imgs.map((f) => f.name).sort());

    // A tile opens the labeling screen for that asset, in the grid's filter.
    const first = grid.locator('a.ag-tile').first();
    const href = await first.getAttribute('href');
    assert.match(href, new RegExp(`^/projects/${projectId}/label\\?filter=all&asset=\\d+$`));
    await page.locator('[data-filter="unlabeled"]').click();
    await page.waitForFunction(() => /filter=unlabeled/.test(document.querySelector('a.ag-tile')?.getAttribute('href') ?? ''));
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
