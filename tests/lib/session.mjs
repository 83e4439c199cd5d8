// The start most browser tests share: a fresh server with one admin account
// (and its API token), chromium, and that account logged in through the real
// login page.
//
//   const s = await startSession({ name: 'alice', setup: async (srv, token, api) => { ...seed... } });
//   // s.srv, s.token, s.api, s.browser, s.page
//   await s.close();
import { launchBrowser } from './browser.mjs';
import { startServer } from './server.mjs';

export const PASSWORD = 'correct horse battery';

// A caller of the API as `token` for seeding and checks: a JSON body (a
// FormData goes as is), the parsed answer back (undefined when empty); an
// answer other than 2xx throws with its status and body.
export function apiAs(srv, token) {
  return async function api(method, path, body) {
    const res = await srv.req(method, path, { token, body });
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.json ?? undefined;
  };
}

// Every asset of a project with its label as the server keeps it, read
// through the API page by page: Map(asset id -> { status, cats }).
export async function labelsOf(api, projectId) {
  const out = new Map();
  let cursor = null;
  do {
    const q = new URLSearchParams({ limit: '200' });
    if (cursor) q.set('cursor', cursor);
    const page = await api('GET', `/api/v1/projects/${projectId}/assets?${q}`);
    for (const a of page.assets) out.set(a.id, { status: a.annotation.status, cats: a.annotation.category_ids });
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

// Logs in on the login page and waits until the app has left it.
export async function logIn(page, url, name, password = PASSWORD) {
  await page.goto(`${url}/login`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

// setup(srv, token, api) runs once the account exists and before chromium
// starts (seed projects, categories and images through the API there; api is
// apiAs(srv, token)); what it returns is handed back as `seed`. browserOptions go to launchBrowser.
export async function startSession({ name = 'alice', password = PASSWORD, setup, browserOptions, serverOptions } = {}) {
  const srv = await startServer(serverOptions);
  let browser;
  try {
    const token = await srv.addUser(name, { admin: true, password });
    const api = apiAs(srv, token);
    const seed = setup ? await setup(srv, token, api) : undefined;
    browser = await launchBrowser(browserOptions);
    const page = await browser.newPage();
    await logIn(page, srv.url, name, password);
    return {
      srv, token, api, browser, page, seed,
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
