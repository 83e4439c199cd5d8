// The exports page, end to end: see how many images a selection holds, create
// a version, watch it become ready, create the same selection again ("identical
// to version 1"), download the zip and check it with `tessera verify`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BIN } from '../lib/server.mjs';
import { startSession } from '../lib/session.mjs';
import { tinyPng } from '../lib/tinypng.mjs';

const run = promisify(execFile);
const SHOT_DIR = process.env.SCREENSHOT_DIR || '/tmp';

let session, srv, browser, page, projectId, work;

describe('exports page', () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'tessera-exports-dl-'));
    session = await startSession({
      name: 'alice',
      browserOptions: { acceptDownloads: true },
      setup: async (_srv, _token, api) => {
        projectId = (await api('POST', '/api/v1/projects', { name: 'Street signs' })).id;
        const stop = (await api('POST', `/api/v1/projects/${projectId}/categories`, { name: 'stop' })).id;
        const yieldSign = (await api('POST', `/api/v1/projects/${projectId}/categories`, { name: 'yield' })).id;
        const fd = new FormData();
        for (let i = 0; i < 5; i++) fd.append('file', new Blob([tinyPng(i + 1, 6, 4)], { type: 'image/png' }), `shot_${i}.png`);
        const assets = (await api('POST', `/api/v1/projects/${projectId}/assets`, fd)).assets;
        // 3 approved, 1 labeled, 1 unlabeled
        for (let i = 0; i < 4; i++) {
          await api('PUT', `/api/v1/assets/${assets[i].id}/annotation`, { category_ids: [i % 2 ? yieldSign : stop] });
          if (i < 3) await api('PUT', `/api/v1/assets/${assets[i].id}/annotation`, { status: 'approved' });
        }
      },
    });
    ({ srv, browser, page } = session);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    browser.errors.length = 0; // the 401 of the logged-out first load is expected
  });

  after(async () => {
    await session?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('the selection shows how many images the version will hold before it is created', async () => {
    await page.goto(`${srv.url}/projects/${projectId}/exports`);
    await page.getByRole('link', { name: 'Exports' }).waitFor();
    const summary = page.getByTestId('export-summary');
    await page.getByText('No versions yet.').waitFor();
    await assert.doesNotReject(summary.filter({ hasText: '3 images' }).waitFor());
    await page.locator('input[name="status-labeled"]').check();
    await summary.filter({ hasText: '4 images' }).waitFor();
    await page.locator('input[name="status-labeled"]').uncheck();
    await page.locator('input[name="status-approved"]').uncheck();
    await summary.filter({ hasText: 'Choose at least one status.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create version' }).isDisabled(), true);
    await page.locator('input[name="status-approved"]').check();
    await summary.filter({ hasText: '3 images' }).waitFor();
  });

  test('creating a version shows it building then ready, and the same selection again is identical to version 1', async () => {
    await page.getByRole('button', { name: 'Create version' }).click();
    const v1 = page.locator('tr.export-row[data-version="1"]');
    await v1.locator('.badge', { hasText: 'ready' }).waitFor();
    const hash1 = await v1.locator('.hash-chip').innerText();
    assert.match(hash1, /^[0-9a-f]{12}$/);
    await page.getByRole('button', { name: 'Create version' }).click();
    const v2 = page.locator('tr.export-row[data-version="2"]');
    await v2.locator('.badge', { hasText: 'ready' }).waitFor();
    assert.equal(await v2.locator('.hash-chip').innerText(), hash1);
    // It reuses version 1's files, and says so.
    await v2.locator('.export-identical', { hasText: 'identical to version 1 (no extra space)' }).waitFor();
    const versions = await page.locator('tr.export-row').evaluateAll((rows) => rows.map((r) => r.dataset.version));
    assert.deepEqual(versions, ['2', '1']);
    await page.screenshot({ path: join(SHOT_DIR, 'tessera-exports.png'), fullPage: true });
  });

  test('the download button gives the zip, and tessera verify passes on it', async () => {
    const v1 = page.locator('tr.export-row[data-version="1"]');
    const [dl] = await Promise.all([page.waitForEvent('download'), v1.getByRole('link', { name: /Download version 1/ }).click()]);
    assert.equal(dl.suggestedFilename(), 'street-signs-v1.zip');
    const path = join(work, dl.suggestedFilename());
    await dl.saveAs(path);
    const { stdout } = await run(BIN, ['verify', path]);
    assert.match(stdout, /^OK: .* version 1, 3 images/);
    assert.deepEqual(browser.errors, []);
  });

  test('a version with a train/val/test split: parts checked in the form, the split shown on the version', async () => {
    await page.locator('input[name="split-on"]').check();
    const create = page.getByRole('button', { name: 'Create version' });
    await page.locator('input[name="split-val"]').fill('30');
    await page.getByText('The parts must add up to 100%.').waitFor();
    assert.equal(await create.isDisabled(), true);
    await page.locator('input[name="split-train"]').fill('60');
    await page.locator('input[name="split-seed"]').fill('signs');
    assert.equal(await create.isDisabled(), false);
    await create.click();
    const v3 = page.locator('tr.export-row[data-version="3"]');
    await v3.locator('.badge', { hasText: 'ready' }).waitFor();
    assert.equal(await v3.getByTestId('export-split').innerText(), 'train 60% · val 30% · test 10% (seed signs)');
    assert.equal(await page.locator('tr.export-row[data-version="1"]').getByTestId('export-split').count(), 0);
    const ex = (await srv.req('GET', `/api/v1/projects/${projectId}/exports`, { token: session.token })).json.exports[0];
    assert.deepEqual(ex.selection.split, { seed: 'signs', train: 0.6, val: 0.3, test: 0.1 });
    assert.deepEqual(browser.errors, []);
  });

  test('a version in the ImageFolder layout: chosen on the page, shown on the version, verified', async () => {
    await page.locator('input[name="split-on"]').uncheck();
    const create = page.getByRole('button', { name: 'Create version' });
    await page.locator('select[name="layout"]').selectOption('imagefolder');
    // Skipped images have no class: the form says so before anything is sent.
    await page.locator('input[name="status-skipped"]').check();
    await page.getByText(/every image goes in the folder of its class/).waitFor();
    assert.equal(await create.isDisabled(), true);
    await page.locator('input[name="status-skipped"]').uncheck();
    assert.equal(await create.isDisabled(), false);
    await create.click();
    const v4 = page.locator('tr.export-row[data-version="4"]');
    await v4.locator('.badge', { hasText: 'ready' }).waitFor();
    await v4.getByTestId('export-layout').filter({ hasText: 'ImageFolder layout' }).waitFor();
    const ex = (await srv.req('GET', `/api/v1/projects/${projectId}/exports`, { token: session.token })).json.exports[0];
    assert.equal(ex.selection.layout, 'imagefolder');
    const { stdout } = await run(BIN, ['verify', join(srv.dataDir, 'exports', String(projectId), '4')]);
    assert.match(stdout, /^OK: .* version 4, 3 images/);
    assert.deepEqual(browser.errors, []);
  });
});

describe('exports page with a version quota', () => {
  let quotaSession;

  before(async () => {
    quotaSession = await startSession({
      name: 'bob',
      serverOptions: { env: { TESSERA_QUOTA_EXPORT_VERSIONS: '1' } },
      setup: async (_srv, _token, api) => {
        const pid = (await api('POST', '/api/v1/projects', { name: 'Limited' })).id;
        const cat = (await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'one' })).id;
        const fd = new FormData();
        fd.append('file', new Blob([tinyPng(99, 6, 4)], { type: 'image/png' }), 'only.png');
        const [asset] = (await api('POST', `/api/v1/projects/${pid}/assets`, fd)).assets;
        await api('PUT', `/api/v1/assets/${asset.id}/annotation`, { category_ids: [cat] });
        await api('PUT', `/api/v1/assets/${asset.id}/annotation`, { status: 'approved' });
        return pid;
      },
    });
  });

  after(async () => {
    await quotaSession?.close();
  });

  test('a version beyond the quota is refused with the reason shown under the button', async () => {
    const { page: p, srv: s, seed: pid } = quotaSession;
    await p.goto(`${s.url}/projects/${pid}/exports`);
    await p.getByTestId('export-summary').filter({ hasText: '1 image' }).waitFor();
    await p.getByRole('button', { name: 'Create version' }).click();
    await p.locator('tr.export-row[data-version="1"] .badge', { hasText: 'ready' }).waitFor();
    await p.getByRole('button', { name: 'Create version' }).click();
    const alert = p.locator('.export-create [role="alert"]');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /already has 1 export version, the most this server keeps per project/);
    assert.match(text, /An administrator can raise the limit\./);
    assert.equal(await p.locator('tr.export-row').count(), 1);
    await p.screenshot({ path: join(SHOT_DIR, 'tessera-exports-quota.png'), fullPage: true });
  });
});
