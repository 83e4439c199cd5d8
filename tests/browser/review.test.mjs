// Review mode, end to end in headless Chromium: select 100 assets with a
// click and a shift-range, bulk approve them and see the counts change; bulk
// needs_review everything matching a filter; issues open their filter.
/* global document */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const SHOT_DIR = process.env.SCREENSHOT_DIR || '/tmp';
let session, srv, browser, page, token, project, cats;

const stats = async () => (await srv.req('GET', `/api/v1/projects/${project.id}/stats`, { token })).json;
const filterCount = (f) => page.locator(`[data-filter-count="${f}"]`).innerText().then((t) => Number(t.replace(/,/g, '')));

describe('review mode', () => {
  before(async () => {
    session = await startSession({
      setup: async (s, t) => {
        [srv, token] = [s, t];
        project = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Review' } })).json;
        cats = [];
        for (const name of ['cat', 'dog', 'bird']) {
          cats.push((await srv.req('POST', `/api/v1/projects/${project.id}/categories`, { token, body: { name } })).json);
        }
        const assets = await uploadPngs(srv, token, project.id, 170, { batch: 85 });
        // given: 150 labeled (by category in turn), 10 skipped, 10 unlabeled
        for (const [i, a] of assets.entries()) {
          const body = i < 150 ? { category_ids: [cats[i % 3].id] } : i < 160 ? { status: 'skipped' } : null;
          if (body) await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body });
        }
      },
    });
    ({ browser, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  test('select 100 with a click and a shift-range, bulk approve, and the counts change', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/review?filter=labeled`);
    await page.locator('[role=gridcell][data-index="0"]').waitFor();
    assert.equal(await filterCount('labeled'), 150);
    assert.equal(await filterCount('approved'), 0);
    // each tile names its label, so a reviewer sees what they approve
    for (const i of [0, 1, 2]) {
      const chip = page.locator(`[role=gridcell][data-index="${i}"] .ag-label`);
      assert.equal(await chip.innerText(), cats[i % 3].name);
    }

    await page.locator('[role=gridcell][data-index="0"]').click();
    for (let i = 0; i < 99; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Shift+Space');
    assert.equal(await page.getByTestId('selected-count').innerText(), '100 selected');

    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.waitForFunction(() => document.querySelector('[data-filter-count="approved"]')?.textContent === '100');
    assert.equal(await filterCount('labeled'), 50);
    const s = await stats();
    assert.equal(s.counts.approved, 100);
    assert.equal(s.counts.labeled, 50);
    // the chart shows the new approved share per category
    for (const c of s.per_category) {
      assert.equal(Number(await page.locator(`[data-dist-for="${c.category_id}"]`).innerText()), c.count);
    }
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${SHOT_DIR}/review-approved.png` });
  });

  test('needs_review for everything matching the filter, with the refusals explained', async () => {
    await page.getByRole('button', { name: /^Select all 50 matching/ }).click();
    assert.equal(await page.getByTestId('selected-count').innerText(), '50 selected');
    await page.getByRole('button', { name: 'Needs review', exact: true }).click();
    // each status counts alone: 50 move from labeled to needs review
    await page.getByText('Marked for review 50.').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-filter-count="needs_review"]')?.textContent === '50');
    assert.equal(await filterCount('labeled'), 0);
    const s = await stats();
    assert.equal(s.counts.needs_review, 50);
    assert.equal(s.counts.labeled, 0);
    // approving everything (including the unlabeled and skipped) approves
    // what has a label and says why the rest was refused
    await page.getByRole('button', { name: /^All/ }).click();
    await page.waitForFunction(() => document.querySelector('[data-filter-count="all"]')?.textContent === '170');
    await page.getByRole('button', { name: /^Select all 170 matching/ }).click();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByText(/Approved 150 · 20 refused \(20 not labeled\)/).waitFor();
    assert.equal((await stats()).counts.approved, 150);
  });

  test('issues open their filter, and the grid opens an asset in the labeling screen', async () => {
    const panel = page.getByTestId('issues-panel');
    assert.equal(await panel.locator('[data-issue=missing_labels]').innerText(), '10');
    assert.equal(await panel.locator('[data-issue=skipped]').innerText(), '10');
    await panel.getByRole('button', { name: /Skipped/ }).click();
    await page.waitForURL(/filter=skipped/);
    await page.waitForFunction(() => document.querySelectorAll('[role=gridcell]:not(.ag-placeholder)').length === 10);
    await page.locator('[role=gridcell][data-index="2"]').click();
    await page.getByRole('button', { name: 'Open in labeling' }).click();
    await page.waitForURL(/\/label\?filter=skipped/);
    await page.waitForSelector('[data-testid=viewer-img]');
    assert.match(await page.getByTestId('queue-position').innerText(), /^3 \/ 10$/);
    assert.deepEqual(browser.errors.filter((e) => !/401/.test(e)), []);
  });
});
