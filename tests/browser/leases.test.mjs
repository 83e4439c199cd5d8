/* global document */
// Two labelers on one filter, in two browser sessions: the labeling screen
// leases its images fifty at a time, so neither sees an image the other has;
// closing the screen gives them back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../lib/browser.mjs';
import { PASSWORD, logIn, startSession } from '../lib/session.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let s, project, pageB, browserB;

const current = (page) => page.evaluate(() => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId));

// Every image the screen goes through, moving on with the arrow key.
async function walk(page, n) {
  const seen = [await current(page)];
  for (let i = 1; i < n; i++) {
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((prev) => Number(document.querySelector('[data-testid=viewer-img]')?.dataset.assetId) !== prev, seen.at(-1));
    seen.push(await current(page));
  }
  return seen;
}

before(async () => {
  s = await startSession({
    setup: async (srv, token, api) => {
      await srv.addUser('bob', { admin: true, password: PASSWORD });
      const p = await api('POST', '/api/v1/projects', { name: 'Shared queue' });
      await api('POST', `/api/v1/projects/${p.id}/categories`, { name: 'cat' });
      await uploadPngs(srv, token, p.id, 60, { w: 60, h: 40 });
      return p;
    },
  });
  project = s.seed;
  browserB = await launchBrowser(); // a second profile: bob's own session
  pageB = await browserB.newPage();
  await logIn(pageB, s.srv.url, 'bob');
});

after(async () => {
  await browserB?.close();
  await s?.close();
});

test('two labelers on the unlabeled queue never see the same image', async () => {
  const url = `${s.srv.url}/projects/${project.id}/label?filter=unlabeled`;
  await s.page.goto(url);
  await s.page.waitForSelector('[data-testid=viewer-img]');
  await pageB.goto(url);
  await pageB.waitForSelector('[data-testid=viewer-img]');
  const a = await walk(s.page, 4);
  const b = await walk(pageB, 4);
  assert.equal(new Set(a).size, 4);
  assert.equal(new Set(b).size, 4);
  assert.deepEqual(a.filter((id) => b.includes(id)), [], `alice ${a}, bob ${b}`);

  // Alice leaves the screen: her images are free again for whoever asks next.
  await s.page.goto(`${s.srv.url}/projects/${project.id}`);
  await s.page.waitForFunction(() => !document.querySelector('[data-testid=viewer-img]'));
  // The release is sent as the screen closes: poll until it has landed.
  let free = [];
  for (let i = 0; i < 100 && !a.every((id) => free.includes(id)); i++) {
    if (i) await new Promise((r) => setTimeout(r, 20));
    const next = await s.srv.req('POST', `/api/v1/projects/${project.id}/queue/next`, { token: s.token, body: { limit: 100 } });
    assert.equal(next.status, 200);
    free = next.json.assets.map((x) => x.id);
  }
  assert.ok(a.every((id) => free.includes(id)), `alice's ${a} are free: ${free}`);
  assert.ok(!b.some((id) => free.includes(id)), 'bob still holds his');
});
