// Importing labels in the web app: a manager of a segmentation project
// picks a zip of class-index masks in the upload drawer, follows the
// import's progress to its summary, reads the report of the refused entry,
// and undoes the import; the image's label comes and goes with it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { startSession } from '../lib/session.mjs';
import { pngChunk, tinyPng } from '../lib/tinypng.mjs';
import { makeZip } from '../lib/zip.mjs';

const W = 64;
const H = 48;
let session, srv, page, api, projectId, catId, asset, dir;

// An 8-bit greyscale mask: a rectangle of value v.
function maskPng(v) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(W, 0);
  ihdr.writeUInt32BE(H, 4);
  ihdr[8] = 8;
  const raw = Buffer.alloc((W + 1) * H);
  for (let y = 10; y < 30; y++) raw.fill(v, y * (W + 1) + 1 + 5, y * (W + 1) + 1 + 40);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

describe('label import', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-browser-import-'));
    session = await startSession({
      name: 'editor',
      setup: async (_srv, _token, seedApi) => {
        api = seedApi;
        projectId = (await api('POST', '/api/v1/projects', { name: 'Streets', task_type: 'segmentation' })).id;
        catId = (await api('POST', `/api/v1/projects/${projectId}/categories`, { name: 'road' })).id;
        const fd = new FormData();
        fd.append('file', new Blob([tinyPng(4242, W, H)], { type: 'image/png' }), 'street.png');
        asset = (await api('POST', `/api/v1/projects/${projectId}/assets`, fd)).assets[0];
      },
    });
    ({ srv, page } = session);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  after(async () => {
    await session?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a zip of masks is imported with its report, then undone', async () => {
    const zip = join(dir, 'labels.zip');
    await writeFile(zip, makeZip([
      { name: 'masks/street.png', data: maskPng(catId) },
      { name: 'masks/elsewhere.png', data: maskPng(catId) },
    ]));
    await page.goto(`${srv.url}/projects/${projectId}/assets`);
    const region = page.getByRole('region', { name: 'Import labels' });
    if (!(await region.isVisible())) await page.getByRole('button', { name: 'Upload images or video' }).click();
    await region.waitFor();
    await page.getByLabel('Choose a zip of labels').setInputFiles(zip);
    await page.getByRole('button', { name: 'Import labels' }).click();
    const summary = region.getByTestId('import-summary').first();
    await summary.getByText('1 image labeled · 1 object · 1 refused').waitFor({ timeout: 20000 });
    assert.equal(await region.getByRole('progressbar').first().getAttribute('aria-valuenow'), '100');
    await region.getByRole('button', { name: 'Report' }).click();
    await region.getByRole('list', { name: 'Refused entries' }).getByText('masks/elsewhere.png').waitFor();
    let ann = await api('GET', `/api/v1/assets/${asset.id}/annotation`);
    assert.equal(ann.status, 'labeled');
    assert.deepEqual(ann.payload.objects[0].polygons, [[5, 10, 40, 10, 40, 30, 5, 30]]);

    await region.getByRole('button', { name: 'Undo' }).click();
    await summary.getByText('Undone · 1 image restored').waitFor();
    ann = await api('GET', `/api/v1/assets/${asset.id}/annotation`);
    assert.equal(ann.status, 'unlabeled');
  });
});
