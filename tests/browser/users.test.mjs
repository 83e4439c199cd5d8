// Accounts in the web app: an admin adds a user on the Users page, the new
// user logs in, sees no Users link, and a deep link survives the login.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

let srv;
let browser;
let page;
let adminToken;

async function logIn(name, password) {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('users', () => {
  before(async () => {
    srv = await startServer();
    adminToken = await srv.addUser('root', { admin: true, password: 'rootpassword' });
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await (srv?.close ?? srv?.stop)?.call(srv);
  });

  test('an admin adds a user on the Users page; errors are shown as sentences', async () => {
    await page.goto(`${srv.url}/users`);
    await page.waitForURL('**/login');
    await logIn('root', 'rootpassword');
    await page.waitForURL('**/users'); // back where the login was asked for
    await page.getByRole('heading', { name: 'Users' }).waitFor();

    const form = page.getByRole('form', { name: 'Add user' });
    await form.getByLabel('Name').fill('bob');
    await form.getByLabel('Password').fill('short');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('Passwords need at least 8 characters.').waitFor();

    await form.getByLabel('Password').fill('bobpassword');
    await form.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('cell', { name: 'bob', exact: true }).waitFor();

    await form.getByLabel('Name').fill('bob');
    await form.getByLabel('Password').fill('bobpassword');
    await form.getByRole('button', { name: 'Add user' }).click();
    const err = page.locator('.form-error');
    await err.waitFor();
    assert.match(await err.innerText(), /^[A-Z]/);

    const res = await fetch(`${srv.url}/api/v1/users`, { headers: { Authorization: `Bearer ${adminToken}` } });
    const { users } = await res.json();
    const bob = users.find((u) => u.name === 'bob');
    assert.ok(bob, 'bob exists');
    assert.equal(bob.is_admin, false);
  });

  test('the new user logs in and sees no Users page link', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await logIn('bob', 'bobpassword');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.match(await page.locator('.whoami').innerText(), /bob/);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).count(), 0);
  });

  test('the page raised no script errors', () => {
    assert.deepEqual(browser.errors.filter((e) => !/Failed to load resource/.test(e)), []);
  });
});
