// The start most browser tests share: a fresh server with one admin account
// (and its API token), chromium, and that account logged in through the real
// login page.
//
//   const s = await startSession({ name: 'alice', setup: async (srv, token) => { ...seed... } });
//   // s.srv, s.token, s.browser, s.page
//   await s.close();
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

export const PASSWORD = 'correct horse battery';

// Logs in on the login page and waits until the app has left it.
export async function logIn(page, url, name, password = PASSWORD) {
  await page.goto(`${url}/login`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

// setup(srv, token) runs once the account exists and before chromium starts
// (seed projects, categories and images through the API there); what it
// returns is handed back as `seed`. browserOptions go to launchBrowser.
export async function startSession({ name = 'alice', password = PASSWORD, setup, browserOptions } = {}) {
  const srv = await startServer();
  let browser;
  try {
    const token = await srv.addUser(name, { admin: true, password });
    const seed = setup ? await setup(srv, token) : undefined;
    browser = await launchBrowser(browserOptions);
    const page = await browser.newPage();
    await logIn(page, srv.url, name, password);
    return {
      srv, token, browser, page, seed,
      async close() {
        await browser.close();
        await srv.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await srv.close();
    throw e;
  }
}
