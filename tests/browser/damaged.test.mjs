// Damaged images in the review screen's issues panel: each is listed with
// its file name and the decoder's reason, both shown as text.
/* global document */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSession } from '../lib/session.mjs';
import { tinyPng } from '../lib/tinypng.mjs';
import { damagedImages } from '../lib/images.mjs';

let session, srv, browser, page, token, project;

describe('damaged images', () => {
  before(async () => {
    session = await startSession({
      setup: async (s, t) => {
        [srv, token] = [s, t];
        project = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Damaged' } })).json;
        const bad = (await damagedImages(5)).find((d) => d.kind === 'bad_filter');
        const fd = new FormData();
        fd.append('file', new Blob([tinyPng(4242)]), 'good.png');
        fd.append('file', new Blob([bad.bytes]), '<img src=x onerror=alert(1)>.png');
        const r = await srv.req('POST', `/api/v1/projects/${project.id}/assets`, { token, body: fd });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.assets.length, 2, r.text);
        // The thumbnail request decodes it now (no waiting for the job).
        await srv.req('GET', `/api/v1/assets/${r.json.assets[1].id}/thumbnail`, { token });
      },
    });
    ({ browser, page } = session);
  });

  after(async () => {
    await session?.close();
  });

  test('the issues panel lists the damaged image with its reason, as text', async () => {
    await page.goto(`${srv.url}/projects/${project.id}/review`);
    const panel = page.getByTestId('issues-panel');
    await panel.locator('[data-issue=damaged]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-issue=damaged]')?.textContent === '1');
    const list = page.getByTestId('damaged-assets');
    assert.equal(await list.locator('.issue-file').innerText(), '<img src=x onerror=alert(1)>.png');
    assert.equal(await list.locator('img').count(), 0);
    assert.match(await list.locator('.issue-reason').innerText(), /filter type other than 0 to 4/);
    assert.deepEqual(browser.errors.filter((e) => !/401|422/.test(e)), []);
  });
});
