// The edges of the app that a first-time user meets: a project with no
// categories and no images, names that are very long or hostile, and an
// upload panel that grows while the grid is on screen.
/* global document, window */
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

  test('twelve categories: keys 1-9 go to the first nine active ones, in display order', async () => {
    // given: 12 categories, the third disabled, and three images
    const p = await post('/api/v1/projects', { name: 'Twelve' });
    const cats = [];
    for (let i = 1; i <= 12; i++) cats.push(await post(`/api/v1/projects/${p.id}/categories`, { name: `class ${i}` }));
    await srv.req('PATCH', `/api/v1/projects/${p.id}/categories/${cats[2].id}`, { token, body: { state: 'disabled' } });
    await uploadPngs(srv, token, p.id, 3);

    // when: the label panel shows them
    await page.goto(`${srv.url}/projects/${p.id}/label`);
    await page.locator('.label-btn[data-category-id]').first().waitFor();

    // then: class 3 and the last two have no key, the others 1..9
    const keys = await page.locator('.label-btn[data-category-id]').evaluateAll((els) =>
      els.map((el) => [el.querySelector('.label-name')?.textContent, el.querySelector('kbd')?.textContent]),
    );
    assert.deepEqual(
      keys.filter(([, k]) => k !== '·').map(([n]) => n),
      ['class 1', 'class 2', 'class 4', 'class 5', 'class 6', 'class 7', 'class 8', 'class 9', 'class 10'],
    );
    // and 9 labels the current image "class 10"
    await page.keyboard.press('9');
    await page.locator('[data-count-for="' + cats[9].id + '"]', { hasText: '1' }).waitFor();
  });

  test('the queue keeps the current image in sight while the keyboard labels', async () => {
    // given: 40 unlabeled images and one category
    const p = await post('/api/v1/projects', { name: 'Queue' });
    await post(`/api/v1/projects/${p.id}/categories`, { name: 'cat' });
    await uploadPngs(srv, token, p.id, 40);
    await page.goto(`${srv.url}/projects/${p.id}/label`);
    await page.locator('.queue-item-current').waitFor();
    await page.locator('.label-btn[data-category-id]').first().waitFor(); // keys work once the categories are in

    // when: 30 of them are labeled with the key 1
    for (let i = 0; i < 30; i++) await page.keyboard.press('1');
    await page.getByTestId('queue-position').filter({ hasText: /^31 \// }).waitFor();

    // then: the highlighted item is (soon) inside the list's visible box
    const inSight = () => {
      const list = document.querySelector('.queue-list')?.getBoundingClientRect();
      const cur = document.querySelector('.queue-item-current')?.getBoundingClientRect();
      return !!list && !!cur && cur.top >= list.top - 1 && cur.bottom <= list.bottom + 1;
    };
    await page.waitForFunction(inSight, null, { timeout: 5000 });
  });

  test('the label distribution follows the display order, like the label panel', async () => {
    // given: three categories, the last moved to the top, one label each
    const p = await post('/api/v1/projects', { name: 'Chart' });
    const ids = [];
    for (const name of ['cat', 'dog', 'horse']) ids.push((await post(`/api/v1/projects/${p.id}/categories`, { name })).id);
    await srv.req('PUT', `/api/v1/projects/${p.id}/categories/order`, { token, body: { order: [ids[2], ids[0], ids[1]] } });
    const assets = await uploadPngs(srv, token, p.id, 3);
    for (const [i, a] of assets.entries()) {
      await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { category_ids: [ids[i]] } });
    }

    // when: the review screen draws the chart
    await page.goto(`${srv.url}/projects/${p.id}/review`);
    await page.locator('.dist-row').first().waitFor();

    // then: horse comes first
    assert.deepEqual(await page.locator('.dist-name').allInnerTexts(), ['horse', 'cat', 'dog']);
  });

  test('a user makes an API token on the Account page, and a script can use it', async () => {
    // given: alice signed in; when: she opens her account from the top bar and asks for a token
    await page.goto(`${srv.url}/`);
    await page.locator('.whoami').click();
    await page.waitForURL('**/account');
    await page.getByRole('button', { name: 'Create API token' }).click();
    const token = await page.getByLabel('New API token').inputValue();

    // then: it is shown once and answers for her over the API
    assert.match(token, /^tsk_[0-9a-f]+$/);
    const me = await srv.req('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.json.name ?? me.json.user?.name, 'alice');
  });

  test('an image labeled with a category that was deleted says so in the label panel', async () => {
    // given: an image labeled "kitten", then kitten deleted
    const p = await post('/api/v1/projects', { name: 'Deleted label' });
    const kitten = await post(`/api/v1/projects/${p.id}/categories`, { name: 'kitten' });
    await post(`/api/v1/projects/${p.id}/categories`, { name: 'cat' });
    const [a] = await uploadPngs(srv, token, p.id, 1);
    await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { category_ids: [kitten.id] } });
    await srv.req('DELETE', `/api/v1/projects/${p.id}/categories/${kitten.id}`, { token });

    // when: the labeler opens it
    await page.goto(`${srv.url}/projects/${p.id}/label?filter=all&asset=${a.id}`);

    // then: the panel names the deleted label, and lists only the live categories
    await page.getByRole('note').filter({ hasText: 'Labeled “kitten”, a deleted category' }).waitFor();
    assert.deepEqual(await page.locator('.label-btn .label-name').allInnerTexts(), ['cat']);
  });

  test('labeling the last image of the unlabeled queue says the queue is done', async () => {
    // given: two unlabeled images and one category
    const p = await post('/api/v1/projects', { name: 'Done queue' });
    await post(`/api/v1/projects/${p.id}/categories`, { name: 'only' });
    await uploadPngs(srv, token, p.id, 2);
    await page.goto(`${srv.url}/projects/${p.id}/label`);
    await page.locator('.queue-item-current').waitFor();
    await page.locator('.label-btn[data-category-id]').first().waitFor(); // keys work once the categories are in
    assert.equal(await page.getByRole('status').filter({ hasText: 'Queue done' }).count(), 0);

    // when: both are labeled with the keyboard
    await page.keyboard.press('1');
    await page.keyboard.press('1');

    // then: the top bar says so and links to the review
    const done = page.getByRole('status').filter({ hasText: 'Queue done' });
    await done.waitFor();
    await done.getByRole('link', { name: 'Review them' }).waitFor();
  });

  test('a project is renamed from its page; an empty name is refused', async () => {
    // given: a project; when: Rename, an empty name, then a real one
    const p = await post('/api/v1/projects', { name: 'Old name' });
    await page.goto(`${srv.url}/projects/${p.id}/categories`);
    await page.getByRole('button', { name: 'Rename' }).click();
    const field = page.getByLabel('Project name');
    await field.fill('   ');
    await field.press('Enter');
    await page.getByText('Give the project a name.').waitFor();
    await field.fill('Shiny <new> name');
    await field.press('Enter');

    // then: the title shows it, and so does the API
    await page.getByRole('heading', { name: /Shiny <new> name/ }).waitFor();
    assert.equal((await srv.req('GET', `/api/v1/projects/${p.id}`, { token })).json.name, 'Shiny <new> name');
  });

  test('a session that ends under the user leads to a login page that says why, then back', async () => {
    // given: alice on a project's categories; when: her session cookie disappears and she acts
    const p = await post('/api/v1/projects', { name: 'Expiry' });
    await page.goto(`${srv.url}/projects/${p.id}/categories`);
    await page.getByPlaceholder(/New category name/).waitFor();
    // Every request of the page's load answered first: one still to be sent
    // would meet the cleared cookie before the category does.
    await page.waitForLoadState('networkidle');
    await page.context().clearCookies();
    await page.getByPlaceholder(/New category name/).fill('cat');
    await page.keyboard.press('Enter');

    // then: the login page explains, and logging in returns to the page
    await page.getByRole('status').filter({ hasText: 'Your session has ended.' }).waitFor();
    await page.getByLabel('Name').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/projects/${p.id}/categories`);
    assert.equal(await page.getByRole('status').filter({ hasText: 'Your session has ended.' }).count(), 0);
  });

  test('the projects table shows each project\'s progress', async () => {
    // given: a project with three images, one labeled and one approved
    const p = await post('/api/v1/projects', { name: 'Progress' });
    const c = await post(`/api/v1/projects/${p.id}/categories`, { name: 'cat' });
    const [a, b] = await uploadPngs(srv, token, p.id, 3);
    for (const x of [a, b]) await srv.req('PUT', `/api/v1/assets/${x.id}/annotation`, { token, body: { category_ids: [c.id] } });
    await srv.req('PUT', `/api/v1/assets/${b.id}/annotation`, { token, body: { status: 'approved' } });

    // when: the projects page opens; then: its row counts them
    await page.goto(`${srv.url}/`);
    await page.getByTestId(`progress-${p.id}`).filter({ hasText: '2 of 3 labeled · 1 approved' }).waitFor();
  });

  test('the pages raised no script errors', () => {
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
