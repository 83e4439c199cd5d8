// Access in the web app: a project manager (not an admin) adds a member on
// the Members tab and changes their role; on the Account page a named,
// expiring API token is made, listed without its secret, and revoked; the
// labeler then sees no controls their role cannot use, and names are shown
// as text, never as markup.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { PASSWORD, apiAs, logIn } from '../lib/session.mjs';
import { startServer } from '../lib/server.mjs';

let srv;
let browser;
let page;
let pid;
let mia;
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

describe('access', () => {
  before(async () => {
    srv = await startServer();
    await srv.addUser('root', { admin: true, password: PASSWORD });
    const miaToken = await srv.addUser('mia', { password: PASSWORD });
    await srv.addUser('bob', { password: PASSWORD });
    mia = apiAs(srv, miaToken);
    pid = (await mia('POST', '/api/v1/projects', { name: 'Team' })).id;
    await mia('POST', `/api/v1/projects/${pid}/categories`, { name: HOSTILE });
    browser = await launchBrowser();
    page = await browser.newPage();
    await logIn(page, srv.url, 'mia');
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  test('a manager adds a member with a role and changes it on the Members tab', async () => {
    await page.goto(`${srv.url}/projects/${pid}/members`);
    const table = page.getByRole('table', { name: 'Project members' });
    await table.locator('tr[data-member="mia"]').waitFor();
    const form = page.getByRole('form', { name: 'Add member' });
    await form.getByLabel('User name').fill('nobody');
    await form.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('There is no user named "nobody".').waitFor();

    await form.getByLabel('User name').fill('bob');
    await form.getByLabel('Role for the new member').selectOption('reviewer');
    await form.getByRole('button', { name: 'Add member' }).click();
    const bobRole = table.getByLabel('Role of bob');
    await bobRole.waitFor();
    assert.equal(await bobRole.inputValue(), 'reviewer');
    await bobRole.selectOption('labeler');
    await page.getByText('bob is now a labeler.').waitFor();
    const { members } = await mia('GET', `/api/v1/projects/${pid}/members`);
    assert.deepEqual(members.map((m) => [m.name, m.role]), [['bob', 'labeler'], ['mia', 'manager']]);
    // The change is in the project's history, with its author.
    const history = page.getByRole('list', { name: 'Project history' });
    await history.getByText('made bob a labeler (was reviewer)').waitFor();
    assert.match(await history.locator('li').first().innerText(), /mia made bob a labeler \(was reviewer\)/);
  });

  test('an API token is made with a name and an expiry, listed without its secret, and revoked', async () => {
    await page.goto(`${srv.url}/account`);
    const form = page.getByRole('form', { name: 'Create API token' });
    await form.getByLabel('Token name').fill('training box');
    await form.getByLabel('Expires in').selectOption('7');
    await form.getByRole('button', { name: 'Create API token' }).click();
    const secret = await page.getByLabel('New API token').inputValue();
    assert.match(secret, /^tsk_[0-9a-f]{64}$/);
    assert.equal((await srv.req('GET', '/api/v1/me', { token: secret })).json.name, 'mia');

    const table = page.getByRole('table', { name: 'API tokens' });
    const row = table.locator('tr', { hasText: 'training box' });
    await row.waitFor();
    assert.ok(!(await table.innerText()).includes(secret.slice(4, 20)), 'the list shows no secret');
    const expires = await row.locator('td').nth(3).locator('[title]').getAttribute('title');
    const days = (Date.parse(expires) - Date.now()) / 86400000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);

    await row.getByRole('button', { name: 'Revoke token training box' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.waitFor({ state: 'detached' });
    const refused = await srv.req('GET', '/api/v1/me', { token: secret });
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.message, 'This API token has been revoked.');
  });

  test('a labeler sees the project without the controls their role cannot use', async () => {
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.waitForURL('**/login');
    await logIn(page, srv.url, 'bob');
    await page.goto(`${srv.url}/projects/${pid}/categories`);
    // The category name is text, not markup.
    await page.getByText(HOSTILE, { exact: true }).waitFor();
    assert.equal(await page.locator('.cat-table img').count(), 0);
    assert.equal(await page.evaluate(() => globalThis.__pwned), undefined);
    assert.equal(await page.getByRole('form', { name: 'Add category' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Rename' }).count(), 0);

    await page.goto(`${srv.url}/projects/${pid}/members`);
    await page.getByRole('table', { name: 'Project members' }).locator('tr[data-member="bob"]').waitFor();
    assert.equal(await page.getByRole('form', { name: 'Add member' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /^Remove / }).count(), 0);

    await page.goto(`${srv.url}/projects/${pid}/exports`);
    await page.getByText('Only a manager of this project creates dataset versions.').waitFor();
  });

  test('the page raised no script errors', () => {
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
