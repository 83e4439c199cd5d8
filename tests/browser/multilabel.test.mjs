/* global document */
// Multi-label classification in headless Chromium: a project created with
// that task type from the projects page, then 50 images labeled by keyboard
// alone (1..9 toggle, N is "none of these", Enter saves and moves on), every
// answer read back through the API.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const N = 50;
let session, srv, api, page, project, cats;

const currentId = () => page.locator('[data-testid=viewer-img]').getAttribute('data-asset-id').then(Number);

// What the labeler answers for an asset: every 7th "none of these", else one or two categories (by key).
const keysFor = (id) => (id % 7 === 0 ? [] : id % 3 === 0 ? [1 + (id % 4), 1 + ((id + 1) % 4)] : [1 + (id % 4)]);

describe('multi-label labeling', () => {
  before(async () => {
    session = await startSession();
    ({ srv, api, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  test('the projects page creates a multi-label project and shows its task type', async () => {
    await page.goto(`${srv.url}/`);
    await page.getByLabel('New project name').fill('Scenes');
    await page.getByLabel('Task type').selectOption('classification_multi');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForSelector('.project-meta[data-task-type=classification_multi]');
    assert.match(await page.locator('.project-meta').textContent(), /Multi-label classification/);
    const list = await api('GET', '/api/v1/projects');
    project = list.projects.find((p) => p.name === 'Scenes');
    assert.equal(project.task_type, 'classification_multi');
    cats = [];
    for (const name of ['sky', 'tree', 'road', 'water']) cats.push(await api('POST', `/api/v1/projects/${project.id}/categories`, { name }));
    await uploadPngs(srv, session.token, project.id, N);
    await page.goto(`${srv.url}/`);
    await page.waitForSelector('[data-task-type=classification_multi]');
    assert.match(await page.locator('[data-task-type=classification_multi]').textContent(), /Multi-label/);
  });

  test('50 images labeled by keyboard: toggles, "none of these" and Enter, all saved as answered', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/label?filter=unlabeled`);
    await page.waitForSelector('[data-testid=viewer-img]');
    // The help names the keys of this task type.
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    assert.match(await help.textContent(), /None of these/);
    assert.match(await help.textContent(), /Check or uncheck “sky”/);
    await page.keyboard.press('Escape');

    const answered = new Map();
    for (let n = 0; n < N; n++) {
      const id = await currentId();
      const keys = keysFor(id);
      for (const k of keys) await page.keyboard.press(String(k));
      if (keys.length) {
        // the checklist mirrors the keys before anything is saved
        const want = keys.map((k) => cats[k - 1].id).sort((a, b) => a - b);
        await page.waitForFunction(
          (w) => JSON.stringify([...document.querySelectorAll('.label-panel [role=checkbox][aria-checked=true]')].map((e) => Number(e.dataset.categoryId)).sort((a, b) => a - b)) === w,
          JSON.stringify(want),
          { timeout: 3000 },
        ).catch(async (e) => {
          const on = await page.locator('.label-panel [role=checkbox][aria-checked=true]').evaluateAll((els) => els.map((x) => Number(x.dataset.categoryId)));
          throw new Error(`asset ${id}: checked ${JSON.stringify(on)}, want ${JSON.stringify(want)} (${e.message})`);
        });
        await page.keyboard.press('Enter');
      } else {
        await page.keyboard.press('n');
      }
      answered.set(id, keys.map((k) => cats[k - 1].id).sort((a, b) => a - b));
      if (n < N - 1) {
        await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId) !== prev, id);
      }
    }
    await page.waitForSelector('[data-testid=save-indicator][data-status=saved]', { timeout: 30_000 });
    assert.equal(answered.size, N);
    for (const [id, ids] of answered) {
      const ann = await api('GET', `/api/v1/assets/${id}/annotation`);
      assert.equal(ann.status, 'labeled', `asset ${id}`);
      assert.deepEqual(ann.payload, { type: 'classification', category_ids: ids }, `asset ${id}`);
    }
    const stats = await api('GET', `/api/v1/projects/${project.id}/stats`);
    assert.equal(stats.counts.unlabeled, 0);
    assert.equal(stats.counts.labeled, N);
  });

  test('going back shows the saved answer checked, and "none of these" as pressed', async () => {
    const last = await currentId();
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId) !== prev, last);
    const id = await currentId();
    const ann = await api('GET', `/api/v1/assets/${id}/annotation`);
    const on = await page.locator('.label-panel [role=checkbox][aria-checked=true]').evaluateAll((els) => els.map((e) => Number(e.dataset.categoryId)));
    assert.deepEqual(on.sort((a, b) => a - b), ann.payload.category_ids);
    assert.equal(await page.getAttribute('[data-testid=none-of-these]', 'aria-pressed'), String(ann.payload.category_ids.length === 0));
  });
});
