/* global document, window */
// Delete and restore from the app, at 1440x900, 1280x720 and a 390x844 phone:
// an image (its tile's corner button, then Restore above the grid), an export
// version (its files go, its row and hash stay) and a project (it moves to
// the Deleted section and back). Each destructive step asks first in a
// dialog and ends in a toast; the server's state is checked through the API
// after each step. The grid's sort and search live in the URL. Screenshots
// of the dialogs and of the Deleted section go to build/screenshots/ (or
// $SCREENSHOT_DIR).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { startSession } from '../lib/session.mjs';
import { tinyPng } from '../lib/tinypng.mjs';
import { waitExport } from '../lib/exports.mjs';

const SIZES = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'laptop', width: 1280, height: 720 },
  { name: 'phone', width: 390, height: 844 },
];
const SHOT_DIR = process.env.SCREENSHOT_DIR || new URL('../../build/screenshots/', import.meta.url).pathname;
const NAMES = ['beta.png', 'alpha.png', 'gamma_cat.png'];

let session, srv, page, api, token;
const projects = {};

const noSideScroll = async (what) => {
  const b = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, iw: window.innerWidth }));
  assert.ok(b.w <= b.iw, `${what}: the page is ${b.w} px wide in a ${b.iw} px window`);
};
const status = async (path) => (await srv.req('GET', path, { token })).status;

describe('delete and restore', () => {
  before(async () => {
    session = await startSession({
      setup: async (s, t, a) => {
        [srv, api, token] = [s, a, t];
        for (const size of SIZES) {
          const p = await a('POST', '/api/v1/projects', { name: `Trash ${size.name}` });
          const cat = await a('POST', `/api/v1/projects/${p.id}/categories`, { name: 'thing' });
          const fd = new FormData();
          NAMES.forEach((n, i) => fd.append('file', new Blob([tinyPng(40 + i + size.width)], { type: 'image/png' }), n));
          const assets = (await a('POST', `/api/v1/projects/${p.id}/assets`, fd)).assets;
          for (const x of assets) await a('PUT', `/api/v1/assets/${x.id}/annotation`, { category_ids: [cat.id] });
          const ex = await a('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled'] });
          const ready = await waitExport(s, t, ex.id);
          assert.equal(ready.state, 'ready');
          projects[size.name] = { ...p, assets, ex: ready };
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

      test('an image: deleted from its tile after a confirmation, restored from the bar', async () => {
        const p = projects[size.name];
        const a = p.assets[1];
        await page.goto(`${srv.url}/projects/${p.id}/assets`);
        await page.getByTestId('asset-count').filter({ hasText: '3 assets' }).waitFor();
        const tile = page.locator('a.ag-tile', { has: page.locator(`img[alt="${a.file_name}"]`) });
        await tile.hover();
        await page.getByRole('button', { name: `Delete ${a.file_name}` }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText(`Delete “${a.file_name}”?`).waitFor();
        await page.screenshot({ path: `${SHOT_DIR}/delete-asset-dialog-${size.name}.png` });
        // Cancel changes nothing.
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.equal(await status(`/api/v1/assets/${a.id}`), 200);

        await tile.hover();
        await page.getByRole('button', { name: `Delete ${a.file_name}` }).click();
        await page.getByRole('dialog').getByRole('button', { name: 'Delete image' }).click();
        await page.locator('.toast', { hasText: `Deleted “${a.file_name}”` }).waitFor();
        await page.getByTestId('asset-count').filter({ hasText: '2 assets' }).waitFor();
        assert.equal(await status(`/api/v1/assets/${a.id}`), 404);
        await noSideScroll('assets with a deleted image');

        await page.getByRole('button', { name: `Restore ${a.file_name}` }).click();
        await page.locator('.toast', { hasText: `Restored “${a.file_name}”` }).waitFor();
        await page.getByTestId('asset-count').filter({ hasText: '3 assets' }).waitFor();
        const back = (await srv.req('GET', `/api/v1/assets/${a.id}`, { token })).json;
        assert.equal(back.annotation.status, 'labeled', 'it comes back with its label');
      });

      test('an export version: deleted after a confirmation; its row and hash stay', async () => {
        const p = projects[size.name];
        await page.goto(`${srv.url}/projects/${p.id}/exports`);
        const row = page.locator(`tr.export-row[data-version="${p.ex.version}"]`);
        await row.waitFor();
        await page.getByRole('button', { name: `Delete version ${p.ex.version}` }).click();
        await page.getByRole('dialog').getByText(`Delete version ${p.ex.version}?`).waitFor();
        await page.screenshot({ path: `${SHOT_DIR}/delete-export-dialog-${size.name}.png` });
        await page.getByRole('dialog').getByRole('button', { name: 'Delete version' }).click();
        await page.locator('.toast', { hasText: `Version ${p.ex.version} deleted` }).waitFor();
        await row.waitFor({ state: 'detached' });
        const ex = (await srv.req('GET', `/api/v1/exports/${p.ex.id}`, { token })).json;
        assert.match(ex.deleted_at, /^\d{4}-/);
        assert.equal(ex.hash, p.ex.hash);
        assert.equal(await status(`/api/v1/exports/${p.ex.id}/download`), 410);
        await noSideScroll('exports');
      });

      test('a project: deleted after a confirmation, listed under Deleted, restored', async () => {
        const p = projects[size.name];
        await page.goto(`${srv.url}/`);
        const link = page.getByRole('table', { name: 'Projects' }).getByRole('link', { name: p.name });
        await link.waitFor();
        await page.getByRole('button', { name: `Delete project ${p.name}` }).click();
        await page.getByRole('dialog').getByText(`Delete project “${p.name}”?`).waitFor();
        await page.screenshot({ path: `${SHOT_DIR}/delete-project-dialog-${size.name}.png` });
        await page.getByRole('dialog').getByRole('button', { name: 'Delete project' }).click();
        await page.locator('.toast', { hasText: `Project “${p.name}” deleted` }).waitFor();
        await link.waitFor({ state: 'detached' });
        const restoreBtn = page.getByRole('button', { name: `Restore project ${p.name}` });
        await restoreBtn.waitFor();
        assert.equal(await status(`/api/v1/projects/${p.id}`), 404);
        await noSideScroll('projects with a deleted one');
        await page.screenshot({ path: `${SHOT_DIR}/projects-deleted-${size.name}.png`, fullPage: true });

        await restoreBtn.click();
        await page.locator('.toast', { hasText: `Project “${p.name}” restored` }).waitFor();
        await link.waitFor();
        await restoreBtn.waitFor({ state: 'detached' });
        assert.equal(await status(`/api/v1/projects/${p.id}`), 200);
        const listed = await api('GET', `/api/v1/projects/${p.id}/assets`);
        assert.equal(listed.counts.all, 3, 'its images are all there');
      });
    });
  }

  test('a deleted category is restored with its id; a user is disabled after a confirmation and enabled', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    const p = projects.desktop;
    const gone = await api('POST', `/api/v1/projects/${p.id}/categories`, { name: 'gone' });
    await api('DELETE', `/api/v1/projects/${p.id}/categories/${gone.id}`);
    await page.goto(`${srv.url}/projects/${p.id}/categories?include_deleted=true`);
    const row = page.getByTestId(`category-row-${gone.id}`);
    await row.locator('.badge-deleted').waitFor();
    await row.getByRole('button', { name: 'Restore gone' }).click();
    await page.locator('.toast', { hasText: `Restored “gone” (#${gone.id})` }).waitFor();
    await row.locator('.badge-active').waitFor();
    const cat = await api('GET', `/api/v1/projects/${p.id}/categories`);
    assert.equal(cat.categories.find((c) => c.id === gone.id).state, 'active');

    await srv.addUser('carol');
    await page.goto(`${srv.url}/users`);
    await page.getByRole('button', { name: 'Disable carol' }).click();
    await page.getByRole('dialog').getByText('Disable “carol”?').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable user' }).click();
    await page.locator('.toast', { hasText: 'User “carol” disabled' }).waitFor();
    const carol = async () => (await api('GET', '/api/v1/users')).users.find((u) => u.name === 'carol');
    assert.equal((await carol()).disabled, true);
    await page.getByRole('button', { name: 'Enable carol' }).click();
    await page.locator('.toast', { hasText: 'User “carol” enabled' }).waitFor();
    assert.equal((await carol()).disabled, false);
  });

  test('the grid sorts and searches file names, all in the URL; a tile opens with the filter kept', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    const p = projects.laptop;
    await page.goto(`${srv.url}/projects/${p.id}/assets`);
    await page.getByTestId('asset-count').filter({ hasText: '3 assets' }).waitFor();
    await page.getByLabel('Sort').selectOption('name');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'name');
    const names = () => page.locator('a.ag-tile img').evaluateAll((els) => els.map((e) => e.getAttribute('alt')));
    await page.waitForFunction(() => document.querySelector('a.ag-tile img')?.getAttribute('alt') === 'alpha.png');
    assert.deepEqual(await names(), ['alpha.png', 'beta.png', 'gamma_cat.png']);
    await page.getByLabel('Search file names').fill('CAT');
    await page.waitForURL((u) => u.searchParams.get('q') === 'CAT');
    await page.getByTestId('asset-count').filter({ hasText: '1 asset' }).waitFor();
    assert.match(await page.locator('[data-filter="all"]').innerText(), /All\s*1/);
    await page.locator('[data-filter="labeled"]').click();
    await page.waitForURL((u) => u.searchParams.get('filter') === 'labeled');
    // A reload keeps all of it.
    await page.reload();
    await page.getByTestId('asset-count').filter({ hasText: '1 asset' }).waitFor();
    assert.equal(await page.getByLabel('Search file names').inputValue(), 'CAT');
    assert.equal(await page.getByLabel('Sort').inputValue(), 'name');
    const href = await page.locator('a.ag-tile').first().getAttribute('href');
    assert.match(href, /filter=labeled/);
    // Back from the labeling screen, the grid is as it was.
    await page.locator('a.ag-tile').first().click();
    await page.waitForSelector('[data-testid=viewer-img]');
    await page.goBack();
    await page.getByTestId('asset-count').filter({ hasText: '1 asset' }).waitFor();
    assert.equal(await page.getByLabel('Search file names').inputValue(), 'CAT');
  });
});
