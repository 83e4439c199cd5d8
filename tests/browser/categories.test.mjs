// The category editor, end to end: first-run setup, log out and in, create a
// project, add categories, reorder them by drag and drop and by keyboard, and
// check that the order persists while every category keeps its id.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const ADMIN = { name: 'alice', password: 'correct horse battery' };
const SHOT_DIR = process.env.SCREENSHOT_DIR || '/tmp';

let srv;
let browser;
let page;
let token;
let projectId;

/** The category rows as shown: id (from "#N"), name, hotkey, state. */
async function shownRows() {
  return page.locator('table.cat-table tbody tr[data-id]').evaluateAll((rows) =>
    rows.map((r) => ({
      id: Number(r.querySelector('.cat-id')?.textContent?.replace('#', '')),
      name: r.querySelector('.cat-name, .rename-input')?.textContent ?? '',
      key: r.querySelector('.col-key')?.textContent ?? '',
      state: r.querySelector('.col-state')?.textContent ?? '',
    })),
  );
}

const names = (rows) => rows.map((r) => r.name);

function row(name) {
  return page.locator('table.cat-table tbody tr[data-id]', { has: page.locator('.cat-name', { hasText: name }) });
}

async function api(path, init = {}) {
  const res = await fetch(`${srv.url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function waitForOrderSave() {
  return page.waitForResponse(
    (r) => r.url().endsWith(`/api/v1/projects/${projectId}/categories/order`) && r.request().method() === 'PUT',
  );
}

describe('category editor', () => {
  before(async () => {
    srv = await startServer();
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await (srv?.close ?? srv?.stop)?.call(srv);
  });

  test('first start leads to setup, and the first account can log out and in', async () => {
    await page.goto(`${srv.url}/`);
    await page.waitForURL('**/setup');
    await page.getByRole('heading', { name: 'Create the first (admin) account' }).waitFor();

    await page.getByLabel('Name').fill(ADMIN.name);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Repeat password').fill('something else');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('The two passwords do not match.').waitFor();

    await page.getByLabel('Repeat password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.locator('.whoami').innerText(), /alice/);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.getByLabel('Name').fill(ADMIN.name);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.form-error').waitFor();
    assert.notEqual((await page.locator('.form-error').innerText()).trim(), '');

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.match(await page.locator('.whoami').innerText(), /alice/);
  });

  test('create a project, add three categories, drag the third to the top; order persists, ids do not change', async () => {
    await page.getByLabel('New project name').fill('Pets');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/\d+\/categories$/);
    projectId = Number(new URL(page.url()).pathname.split('/')[2]);
    await page.getByRole('heading', { name: /Pets/ }).waitFor();

    // The add field keeps the focus, so categories can be typed one after another.
    const input = page.getByLabel('New category name');
    await input.focus();
    for (const name of ['cat', 'dog', 'bird']) {
      await page.keyboard.type(name);
      await page.keyboard.press('Enter');
      await row(name).waitFor();
      assert.equal(await input.inputValue(), '', 'the input clears after adding');
      assert.ok(await input.evaluate((el) => el === el.ownerDocument.activeElement), 'the input keeps the focus');
    }
    assert.deepEqual(await shownRows(), [
      { id: 1, name: 'cat', key: '1', state: 'active' },
      { id: 2, name: 'dog', key: '2', state: 'active' },
      { id: 3, name: 'bird', key: '3', state: 'active' },
    ]);

    // A duplicate name is refused with the server's message.
    await input.fill('Cat');
    await input.press('Enter');
    const addError = page.locator('.categories > .form-error');
    await addError.waitFor();
    assert.notEqual((await addError.innerText()).trim(), '');
    await input.fill('');

    const saved = waitForOrderSave();
    await row('bird').locator('.col-handle').dragTo(row('cat'));
    const res = await saved;
    assert.equal(res.status(), 200);
    assert.deepEqual(JSON.parse(res.request().postData()), { order: [3, 1, 2] });
    assert.deepEqual(names(await shownRows()), ['bird', 'cat', 'dog']);

    await page.reload();
    await row('bird').waitFor();
    assert.deepEqual(await shownRows(), [
      { id: 3, name: 'bird', key: '1', state: 'active' },
      { id: 1, name: 'cat', key: '2', state: 'active' },
      { id: 2, name: 'dog', key: '3', state: 'active' },
    ]);
    await page.screenshot({ path: `${SHOT_DIR}/tessera-categories.png`, fullPage: true });

    token = await srv.addUser('checker', { admin: true }); // another reader: an admin sees every project
    const { status, body } = await api(`/api/v1/projects/${projectId}/categories`);
    assert.equal(status, 200);
    assert.deepEqual(
      body.categories.map((c) => [c.id, c.name]),
      [
        [3, 'bird'],
        [1, 'cat'],
        [2, 'dog'],
      ],
    );
  });

  test('keyboard: Alt+Arrow reorders, Enter renames, disable and delete keep ids', async () => {
    await row('dog').focus();
    let saved = waitForOrderSave();
    await page.keyboard.press('Alt+ArrowUp');
    assert.deepEqual(JSON.parse((await saved).request().postData()), { order: [3, 2, 1] });
    assert.deepEqual(names(await shownRows()), ['bird', 'dog', 'cat']);
    // The moved row keeps the focus, so the key can be pressed again.
    saved = waitForOrderSave();
    await page.keyboard.press('Alt+ArrowUp');
    await saved;
    assert.deepEqual(names(await shownRows()), ['dog', 'bird', 'cat']);

    // A refused reorder rolls back and shows the server's message.
    const orderUrl = `**/api/v1/projects/${projectId}/categories/order`;
    await page.route(orderUrl, (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'invalid_order', message: 'The order must list every category once.', details: {} },
        }),
      }),
    );
    await row('cat').focus();
    saved = waitForOrderSave();
    await page.keyboard.press('Alt+ArrowUp');
    await saved;
    await page.locator('.toast-error', { hasText: 'The order must list every category once.' }).waitFor();
    assert.deepEqual(names(await shownRows()), ['dog', 'bird', 'cat']);
    await page.unroute(orderUrl);

    // Rename inline: Esc cancels, Enter saves.
    await row('cat').focus();
    await page.keyboard.press('Enter');
    const edit = page.getByLabel('Rename category');
    await edit.fill('kitten');
    await edit.press('Escape');
    await row('cat').waitFor();
    await row('cat').locator('.cat-name').click();
    await edit.fill('kitty');
    await edit.press('Enter');
    await row('kitty').waitFor();

    // Disable: no hotkey for it, the next active category takes the number.
    await row('dog').getByRole('button', { name: 'Disable' }).click();
    await row('dog').locator('.badge-disabled').waitFor();
    assert.deepEqual(
      (await shownRows()).map((r) => [r.id, r.name, r.key, r.state]),
      [
        [2, 'dog', '', 'disabled'],
        [3, 'bird', '1', 'active'],
        [1, 'kitty', '2', 'active'],
      ],
    );

    // Delete asks first and explains that the id is never reused.
    await row('bird').getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /never reused/);
    assert.match(await dialog.innerText(), /excluded|left out of\s+exports/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('bird').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete category' }).click();
    await row('bird').waitFor({ state: 'detached' });

    // A new category gets a new id, never the deleted one.
    await page.getByLabel('New category name').fill('fish');
    await page.getByLabel('New category name').press('Enter');
    await row('fish').waitFor();

    await page.getByLabel('Show deleted').check();
    await row('bird').locator('.badge-deleted').waitFor();
    assert.deepEqual(
      (await shownRows()).map((r) => [r.id, r.name, r.state]),
      [
        [2, 'dog', 'disabled'],
        [3, 'bird', 'deleted'],
        [1, 'kitty', 'active'],
        [4, 'fish', 'active'],
      ],
    );
    await page.screenshot({ path: `${SHOT_DIR}/tessera-categories-deleted.png`, fullPage: true });

    // The toggle is kept in the URL, so a reload still shows deleted rows.
    assert.match(page.url(), /\?include_deleted=true$/);
    await page.reload();
    await row('bird').locator('.badge-deleted').waitFor();
    assert.equal((await shownRows()).length, 4);

    const { body } = await api(`/api/v1/projects/${projectId}/categories?include_deleted=true`);
    const byId = Object.fromEntries(body.categories.map((c) => [c.id, [c.name, c.state]]));
    assert.deepEqual(byId, {
      1: ['kitty', 'active'],
      2: ['dog', 'disabled'],
      3: ['bird', 'deleted'],
      4: ['fish', 'active'],
    });
  });

  test('the page raised no script errors', () => {
    const real = browser.errors.filter((e) => !/Failed to load resource/.test(e));
    assert.deepEqual(real, []);
  });
});
