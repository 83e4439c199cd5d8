// The edges of the app that a first-time user meets: a project with no
// categories and no images, names that are very long or hostile, and an
// upload panel that grows while the grid is on screen.
/* global document */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const PASSWORD = 'correct horse battery';
let srv, browser, page, token;

const post = async (path, body) => (await srv.req('POST', path, { token, body })).json;

/** Right edge of the element matched by sel, and of the page's main column. */
const rightEdges = (sel) =>
  page.evaluate((s) => {
    const el = document.querySelector(s);
    const main = document.querySelector('main.page');
    return { el: el?.getBoundingClientRect().right ?? 0, main: main?.getBoundingClientRect().right ?? 0 };
  }, sel);

describe('edges', () => {
  before(async () => {
    srv = await startServer();
    token = await srv.addUser('alice', { admin: true, password: PASSWORD });
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(`${srv.url}/login`);
    await page.getByLabel('Name').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  test('an empty project says where to add categories and images, on every tab', async () => {
    // given: a project with no categories and no images
    const p = await post('/api/v1/projects', { name: 'Empty' });

    // when: the labeler opens the Label tab
    await page.goto(`${srv.url}/projects/${p.id}/label`);

    // then: the viewer and the label panel point to the tabs that fix it
    await page.getByText('This project has no images yet.').waitFor();
    await page.getByRole('link', { name: 'Upload some on the Assets tab' }).waitFor();
    await page.getByRole('link', { name: 'Add some on the Categories tab' }).click();
    await page.waitForURL(`**/projects/${p.id}/categories`);

    // and the review grid does not blame a filter
    await page.goto(`${srv.url}/projects/${p.id}/review`);
    await page.getByText('This project has no images yet. Upload some on the Assets tab.').waitFor();
  });

  test('a 100-character name without spaces wraps inside the table, the dialog and the toast', async () => {
    // given: a category whose name is one 100-character word
    const p = await post('/api/v1/projects', { name: 'L'.repeat(100) });
    const long = 'x'.repeat(100);
    await post(`/api/v1/projects/${p.id}/categories`, { name: long });
    await post(`/api/v1/projects/${p.id}/categories`, { name: '<img src=x onerror=alert(1)>' });

    // when: the category editor shows it
    await page.goto(`${srv.url}/projects/${p.id}/categories`);
    await page.locator('.cat-name', { hasText: long }).waitFor();

    // then: neither the table nor the title runs past the page's column
    const table = await rightEdges('table.cat-table');
    assert.ok(table.el <= table.main + 1, `table right ${table.el} > page right ${table.main}`);
    const title = await rightEdges('.page-title');
    assert.ok(title.el <= title.main + 1, `title right ${title.el} > page right ${title.main}`);
    // and the hostile name is text, not markup
    await page.locator('.cat-name', { hasText: '<img src=x onerror=alert(1)>' }).waitFor();
    assert.equal(await page.locator('table.cat-table img').count(), 0);

    // when: it is deleted, the dialog and the toast wrap the name too
    await page.locator('tr', { hasText: long }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const d = await dialog.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(d.scroll <= d.client + 1, `dialog content ${d.scroll}px wide in ${d.client}px`);
    await dialog.getByRole('button', { name: 'Delete category' }).click();
    const toast = page.locator('.toast', { hasText: 'Deleted' });
    await toast.waitFor();
    const t = await toast.evaluate((el) => ({ right: el.getBoundingClientRect().right, vw: window.innerWidth }));
    assert.ok(t.right <= t.vw, `toast right ${t.right} past the window (${t.vw})`);
  });

  test('with the upload list open, thumbnails stay inside the grid card', async () => {
    // given: a project with 40 images
    const p = await post('/api/v1/projects', { name: 'Grid' });
    await uploadPngs(srv, token, p.id, 40);

    // when: the upload panel is open and the window is short
    await page.setViewportSize({ width: 1024, height: 520 });
    await page.goto(`${srv.url}/projects/${p.id}/assets`);
    await page.locator('[role=gridcell][data-index="0"]').waitFor();
    await page.getByRole('button', { name: 'Upload images or video' }).click();
    await page.locator('.assets-grid-wrap').waitFor();

    // then: the grid's scroller lies within its card
    const box = await page.evaluate(() => {
      const wrap = document.querySelector('.assets-grid-wrap').getBoundingClientRect();
      const sc = document.querySelector('.ag-scroller').getBoundingClientRect();
      return { wrapBottom: wrap.bottom, scBottom: sc.bottom, scHeight: sc.height };
    });
    assert.ok(box.scBottom <= box.wrapBottom + 1, `grid bottom ${box.scBottom} below its card ${box.wrapBottom}`);
    assert.ok(box.scHeight >= 200, `grid only ${box.scHeight}px tall`);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
