// Damaged images: PNGs and JPEGs whose structure is whole (chunks, CRCs,
// markers) but which do not decode. Each is stored, decoded in full once,
// marked damaged with the decoder's reason, listed in the issues, and kept
// out of every export; `tessera verify` refuses an export folder into which
// one was slipped. Only the documented formats are accepted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWithAdmin, SANITIZED } from '../lib/server.mjs';
import { tinyPng } from '../lib/tinypng.mjs';
import { damagedImages, solidImage } from '../lib/images.mjs';
import { waitExport, verifyExport as verify } from '../lib/exports.mjs';

const WAIT_MS = SANITIZED ? 60000 : 15000;

let srv;
let token;
let work;

before(async () => {
  ({ srv, token } = await startWithAdmin());
  work = await mkdtemp(join(tmpdir(), 'tessera-damaged-'));
});

after(async () => {
  await srv?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function api(method, path, body, expect) {
  const r = await srv.req(method, path, { token, body });
  if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.text}`);
  return r;
}

async function project(name) {
  const p = (await api('POST', '/api/v1/projects', { name }, 201)).json;
  const cat = (await api('POST', `/api/v1/projects/${p.id}/categories`, { name: 'thing' }, 201)).json;
  return { id: p.id, cat: cat.id };
}

async function upload(pid, files) {
  const fd = new FormData();
  for (const f of files) fd.append('file', new Blob([f.bytes]), f.name);
  return srv.req('POST', `/api/v1/projects/${pid}/assets`, { token, body: fd });
}

async function approve(assetId, catId) {
  await api('PUT', `/api/v1/assets/${assetId}/annotation`, { category_ids: [catId] }, 200);
  await api('PUT', `/api/v1/assets/${assetId}/annotation`, { status: 'approved' }, 200);
}

async function exportReady(pid) {
  const r = await api('POST', `/api/v1/projects/${pid}/exports`, undefined, 202);
  const ex = await waitExport(srv, token, r.json.id, WAIT_MS);
  assert.equal(ex.state, 'ready', JSON.stringify(ex));
  return ex;
}

test('given damaged PNGs and JPEGs labeled and approved, when exporting at once, each is marked damaged with its reason and none is exported', async () => {
  const p = await project('Damaged');
  const bad = await damagedImages(1);
  const good = [{ name: 'good_1.png', bytes: tinyPng(9001, 20, 10) }, { name: 'good_2.png', bytes: tinyPng(9002, 20, 10) }];
  const r = await upload(p.id, [...good, ...bad]);
  // The structure of each is whole: the upload takes them all.
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.errors, []);
  const ids = r.json.assets.map((a) => a.id);
  for (const id of ids) await approve(id, p.cat);

  // The export decodes whatever its thumbnail job has not decoded yet.
  const ex = await exportReady(p.id);
  assert.equal(ex.manifest.counts.images, 2, JSON.stringify(ex.manifest.counts));
  const names = (await readFile(join(srv.dataDir, 'exports', String(p.id), String(ex.version), 'annotations.json'), 'utf8'));
  const ann = JSON.parse(names);
  assert.deepEqual(ann.images.map((i) => i.file_name).sort(), [`${ids[0]}.png`, `${ids[1]}.png`].sort());
  const v = await verify(join(srv.dataDir, 'exports', String(p.id), String(ex.version)));
  assert.equal(v.code, 0, v.out);

  for (let i = 0; i < bad.length; i++) {
    const a = (await api('GET', `/api/v1/assets/${ids[2 + i]}`, undefined, 200)).json;
    assert.equal(a.decode_state, 'damaged', `${bad[i].kind}: ${JSON.stringify(a)}`);
    assert.match(a.damage_reason, /\w/, bad[i].kind);
    // No thumbnail: the reason instead.
    const t = await api('GET', `/api/v1/assets/${ids[2 + i]}/thumbnail`);
    assert.equal(t.status, 422, bad[i].kind);
    assert.equal(t.json.error.code, 'damaged_image');
  }
  const reasons = {};
  for (let i = 0; i < bad.length; i++) reasons[bad[i].kind] = (await api('GET', `/api/v1/assets/${ids[2 + i]}`)).json.damage_reason;
  assert.match(reasons.bad_filter, /filter/);
  assert.match(reasons.missing_rows, /last row/);
  assert.match(reasons.inflate_bomb, /more image data/);
  assert.match(reasons.random_idat, /corrupt|zlib/);
  assert.match(reasons.jpeg_garbage_scan, /JPEG|Huffman|data/i);
  assert.match(reasons.jpeg_sof_9000, /JPEG|premature|data/i);
  for (const id of ids.slice(0, 2)) assert.equal((await api('GET', `/api/v1/assets/${id}`)).json.decode_state, 'ok');

  // The issues list them, by name, with their reasons.
  const st = (await api('GET', `/api/v1/projects/${p.id}/stats`, undefined, 200)).json;
  assert.equal(st.issues.damaged, bad.length);
  assert.deepEqual(st.issues.damaged_assets.map((d) => d.asset_id), ids.slice(2));
  assert.equal(st.issues.damaged_assets[0].file_name, bad[0].name);

  // The preview says why they are left out.
  const pv = (await api('GET', `/api/v1/projects/${p.id}/exports/preview?statuses=approved`, undefined, 200)).json;
  assert.equal(pv.counts.images, 2);
  assert.equal(pv.counts.excluded.damaged, bad.length);
  assert.equal(pv.counts.not_decoded_yet, 0);
});

test('given an 8 x 8 PNG whose data inflates to 200 MB, the decode stops at once (the thumbnail job finishes in well under a second)', async () => {
  const p = await project('Bomb');
  const bomb = (await damagedImages(2)).find((d) => d.kind === 'inflate_bomb');
  const r = await upload(p.id, [bomb]);
  assert.equal(r.status, 201, r.text);
  const id = r.json.assets[0].id;
  const t0 = Date.now();
  const t = await api('GET', `/api/v1/assets/${id}/thumbnail`);
  const ms = Date.now() - t0;
  assert.equal(t.status, 422, t.text);
  assert.match(t.json.error.message, /more image data/);
  if (!SANITIZED) assert.ok(ms < 300, `thumbnail answer took ${ms} ms`);
});

test('given an export folder into which a damaged image was slipped, tessera verify refuses it', async () => {
  const p = await project('Slipped');
  const r = await upload(p.id, [{ name: 'a.png', bytes: tinyPng(7001, 16, 16) }, { name: 'b.png', bytes: tinyPng(7002, 16, 16) }]);
  assert.equal(r.status, 201, r.text);
  for (const a of r.json.assets) await approve(a.id, p.cat);
  const ex = await exportReady(p.id);
  const dir = join(work, 'slipped');
  await cp(join(srv.dataDir, 'exports', String(p.id), String(ex.version)), dir, { recursive: true });
  const bad = (await damagedImages(3)).find((d) => d.kind === 'bad_filter');
  await writeFile(join(dir, 'images', `${r.json.assets[0].id}.png`), bad.bytes);
  const v = await verify(dir);
  assert.equal(v.code, 1, v.out);
  assert.match(v.out, new RegExp(`images/${r.json.assets[0].id}\\.png: the image does not decode: a PNG row has a filter type`));
});

test('given files in formats that are not accepted (SVG, PDF, a libvips .v file, JPEG 2000), each is refused as not_an_image', async () => {
  const p = await project('Formats');
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  const vfile = await solidImage(8, 8, 'v');
  const jp2 = await solidImage(8, 8, 'jp2');
  for (const [name, bytes] of [['x.svg', svg], ['x.pdf', pdf], ['x.v', vfile], ['x.jp2', jp2]]) {
    const r = await upload(p.id, [{ name, bytes }]);
    assert.equal(r.status, 422, `${name}: ${r.text}`);
    assert.equal(r.json.errors[0].code, 'not_an_image', name);
    assert.match(r.json.errors[0].message, /JPEG, PNG, WebP, GIF, TIFF, HEIF/);
  }
  // The accepted ones go in: WebP, GIF, TIFF, HEIF.
  for (const ext of ['webp', 'gif', 'tif', 'heic']) {
    const bytes = await solidImage(40, 30, ext);
    const r = await upload(p.id, [{ name: `ok.${ext}`, bytes }]);
    assert.equal(r.status, 201, `${ext}: ${r.text}`);
    const t = await api('GET', `/api/v1/assets/${r.json.assets[0].id}/thumbnail`);
    assert.equal(t.status, 200, `${ext}: ${t.text}`);
  }
});
