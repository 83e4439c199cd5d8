// Mask import over HTTP: a zip of class-index masks, instance masks with
// their CSV, or a COCO annotations.json becomes labeled polygons of the
// importing user, as a job with progress and a report of every refused
// entry; hostile zips are refused at once with nothing stored; a mask
// larger than its image, a 16-bit or palette mask with values that are not
// categories and JSON with 10^6 points fail the whole import with nothing
// imported; a label a person made after the import started is kept; undo
// restores the labels the import replaced, in one step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { startWithAdmin, SANITIZED } from '../lib/server.mjs';
import { waitExport } from '../lib/exports.mjs';
import { multipart } from '../lib/images.mjs';
import { pngChunk, uploadPngs } from '../lib/tinypng.mjs';
import { makeZip } from '../lib/zip.mjs';

const run = promisify(execFile);
const W = 64;
const H = 48;
const WAIT_MS = SANITIZED ? 60000 : 20000;
let srv, token, pid, cats, assets;

const sql = (q) => srv.sql(q);
const ann = async (id) => (await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token })).json;

// A mask PNG: greyscale (depth 8 or 16) or palette (depth 8), value(x, y)
// the label of each pixel.
function maskPng(w, h, value, { depth = 8, palette = false } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = depth;
  ihdr[9] = palette ? 3 : 0;
  const bpp = depth === 16 ? 2 : 1;
  const raw = Buffer.alloc((w * bpp + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = y * (w * bpp + 1) + 1 + x * bpp;
      if (bpp === 2) raw.writeUInt16BE(value(x, y), o);
      else raw[o] = value(x, y);
    }
  }
  const chunks = [pngChunk('IHDR', ihdr)];
  if (palette) {
    const plte = Buffer.alloc(256 * 3);
    for (let i = 0; i < 256; i++) plte.set([i, (i * 7) & 255, (i * 13) & 255], i * 3);
    chunks.push(pngChunk('PLTE', plte));
  }
  chunks.push(pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

const rect = (x0, y0, x1, y1, v) => (x, y) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? v : 0);
// A disc of label a with a hole, and a rectangle of label b.
const scene = (a, b) => (x, y) => {
  const d = Math.hypot(x + 0.5 - 20, y + 0.5 - 24);
  if (d <= 15 && d > 6) return a;
  if (x >= 40 && x < 60 && y >= 5 && y < 20) return b;
  return 0;
};

async function upload(zip, { tolerance, project = pid, name = 'labels.zip' } = {}) {
  const parts = [{ name: 'file', filename: name, type: 'application/zip', data: zip }];
  if (tolerance !== undefined) parts.push({ name: 'tolerance', data: String(tolerance) });
  const { body, contentType } = multipart(parts);
  return srv.req('POST', `/api/v1/projects/${project}/imports`, {
    token, body, headers: { 'content-type': contentType }, raw: true,
  });
}

async function finished(id) {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const r = await srv.req('GET', `/api/v1/imports/${id}`, { token });
    assert.equal(r.status, 200, r.text);
    if (['done', 'failed'].includes(r.json.state)) return r.json;
    assert.ok(Date.now() < until, `import ${id} still ${r.json.state}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function importZip(zip, opts) {
  const r = await upload(zip, opts);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.state, 'queued');
  return finished(r.json.id);
}

const importsCount = async () => Number(await sql('SELECT count(*) FROM imports'));
const labeledCount = async () => Number(await sql(`SELECT count(*) FROM annotations WHERE project_id = ${pid} AND status = 'labeled'`));
const codes = (im) => im.report.map((e) => e.code).sort();

// Pixels of the mask an object covers (pixel centres inside by even-odd).
function rasterise(polygons, w, h) {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const cy = y + 0.5;
    const xs = [];
    for (const ring of polygons) {
      for (let i = 0; i < ring.length; i += 2) {
        const j = (i + 2) % ring.length;
        const [x0, y0, x1, y1] = [ring[i], ring[i + 1], ring[j], ring[j + 1]];
        if ((y0 <= cy) !== (y1 <= cy)) xs.push(x0 + ((cy - y0) * (x1 - x0)) / (y1 - y0));
      }
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = 0; x < w; x++) if (x + 0.5 >= xs[k] && x + 0.5 < xs[k + 1]) out[y * w + x] = 1;
    }
  }
  return out;
}

function iou(a, b) {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) { inter += a[i] && b[i]; union += a[i] || b[i]; }
  return inter / union;
}

before(async () => {
  ({ srv, token } = await startWithAdmin());
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Masks', task_type: 'segmentation' } });
  assert.equal(p.status, 201, p.text);
  pid = p.json.id;
  cats = [];
  for (const name of ['road', 'tree', 'sky']) {
    cats.push((await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json);
  }
  assets = await uploadPngs(srv, token, pid, 12, { start: 900, w: W, h: H });
});
after(async () => { await srv.close(); });

test('class-index masks become labeled polygons of the importing user, each refused mask in the report', async () => {
  const [road, tree] = [cats[0].id, cats[1].id];
  const zip = makeZip([
    { name: 'masks/', data: '' },
    { name: `masks/${assets[0].file_name}`, data: maskPng(W, H, scene(road, tree)) },
    // a.png.png names a.png exactly
    { name: `masks/${assets[1].file_name}.png`, data: maskPng(W, H, rect(0, 0, 10, 10, tree)) },
    { name: 'masks/nosuch.png', data: maskPng(W, H, rect(0, 0, 4, 4, road)) },
    { name: `masks/${assets[2].file_name}`, data: maskPng(W, H, () => 0) },
    { name: `masks/${assets[3].file_name}`, data: maskPng(W - 1, H, rect(0, 0, 4, 4, road)) },
    { name: `masks/${assets[4].file_name}`, data: maskPng(W, H, rect(0, 0, 4, 4, 77)) },
    { name: 'readme.txt', data: 'ignored' },
  ]);
  const im = await importZip(zip);
  assert.equal(im.state, 'done', JSON.stringify(im));
  assert.equal(im.format, 'class_masks');
  assert.equal(im.images, 2);
  assert.equal(im.objects, 3);
  assert.equal(im.refused, 4);
  assert.deepEqual(codes(im), ['empty_mask', 'mask_size_mismatch', 'unknown_category', 'unknown_image']);
  for (const e of im.report) assert.match(e.message, /\.$/);
  assert.equal(im.report.find((e) => e.code === 'unknown_image').entry, 'masks/nosuch.png');
  assert.equal(im.progress.done, im.progress.total);
  assert.equal(im.progress.total, 6 + 2, 'six masks read, two images written');
  assert.equal(im.created_by, 'admin');

  const a = await ann(assets[0].id);
  assert.equal(a.status, 'labeled');
  assert.equal(a.labeled_by, 'admin');
  assert.equal(a.import_id, im.id);
  assert.equal(a.payload.type, 'polygons');
  assert.deepEqual(a.category_ids, [road, tree].sort((x, y) => x - y));
  const disc = a.payload.objects.find((o) => o.category_id === road);
  assert.equal(disc.polygons.length, 2, 'the disc keeps its hole');
  // The traced and simplified object covers its mask's pixels (IoU >= 0.98).
  const want = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) want[y * W + x] = scene(road, tree)(x, y) === road;
  assert.ok(iou(rasterise(disc.polygons, W, H), want) >= 0.98);
  const box = a.payload.objects.find((o) => o.category_id === tree);
  assert.deepEqual(box.polygons, [[40, 5, 60, 5, 60, 20, 40, 20]]);
  // The import that wrote each label is recorded.
  assert.equal(await sql(`SELECT import_id FROM import_changes WHERE asset_id = ${assets[0].id}`), String(im.id));
  const list = await srv.req('GET', `/api/v1/projects/${pid}/imports`, { token });
  assert.equal(list.status, 200);
  assert.equal(list.json.imports[0].id, im.id);
  assert.equal(list.json.imports[0].report, undefined);

  // Undo restores the two images as they were, in one step, once.
  const u = await srv.req('POST', `/api/v1/imports/${im.id}/undo`, { token });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.state, 'undone');
  assert.equal(u.json.undone, 2);
  assert.equal((await ann(assets[0].id)).status, 'unlabeled');
  assert.equal((await ann(assets[0].id)).import_id, undefined);
  assert.equal((await ann(assets[1].id)).status, 'unlabeled');
  const again = await srv.req('POST', `/api/v1/imports/${im.id}/undo`, { token });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'import_not_done');
});

test('the tolerance simplifies less or more, and must be a number of pixels up to 16', async () => {
  const road = cats[0].id;
  // A slanted edge: a staircase of pixels that simplifies to a straight line.
  const wedge = (x, y) => (x >= 8 + y / 2 ? road : 0);
  const zip = makeZip([{ name: assets[5].file_name, data: maskPng(W, H, wedge) }]);
  const exact = await importZip(zip, { tolerance: 0 });
  assert.equal(exact.tolerance, 0);
  const pointsAt = async () => (await ann(assets[5].id)).payload.objects[0].polygons[0].length / 2;
  const raw = await pointsAt();
  assert.ok(raw > 20, `${raw} points`);
  await srv.req('POST', `/api/v1/imports/${exact.id}/undo`, { token });
  const simple = await importZip(zip, { tolerance: 2 });
  assert.equal(simple.tolerance, 2);
  assert.ok(await pointsAt() <= 6);
  await srv.req('POST', `/api/v1/imports/${simple.id}/undo`, { token });
  for (const t of ['17', '-1', 'abc', '1e400']) {
    const r = await upload(zip, { tolerance: t });
    assert.equal(r.status, 400, `${t}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid_tolerance');
  }
});

test('instance masks with their CSV: one object per mask, every bad row reported', async () => {
  const [road, sky] = [cats[0].id, cats[2].id];
  const csv = [
    'mask,image,category_id',
    `objects/a.png,${assets[6].file_name},${road}`,
    `objects/b.png,${assets[6].file_name},${sky}`,
    `objects/missing.png,${assets[6].file_name},${road}`,
    `objects/a.png,nosuch.jpg,${road}`,
    `objects/a.png,${assets[6].file_name},999`,
    `objects/a.png,${assets[6].file_name},x`,
  ].join('\r\n');
  const zip = makeZip([
    { name: 'objects.csv', data: csv },
    // Two parts of one object (a road cut by a tree).
    { name: 'objects/a.png', data: maskPng(W, H, (x, y) => (y >= 30 && y < 40 && (x < 20 || x >= 30) ? 255 : 0)) },
    { name: 'objects/b.png', data: maskPng(W, H, rect(0, 0, W, 10, 1)) },
  ]);
  const im = await importZip(zip);
  assert.equal(im.state, 'done', JSON.stringify(im));
  assert.equal(im.format, 'instance_masks');
  assert.equal(im.objects, 2);
  assert.deepEqual(codes(im), ['bad_row', 'missing_mask', 'unknown_category', 'unknown_image']);
  const a = await ann(assets[6].id);
  const roadObj = a.payload.objects.find((o) => o.category_id === road);
  assert.equal(roadObj.polygons.length, 2);
  assert.equal(a.payload.objects.find((o) => o.category_id === sky).polygons.length, 1);
  await srv.req('POST', `/api/v1/imports/${im.id}/undo`, { token });
});

test('COCO annotations.json: images matched by checksum or file name, polygons imported, bad objects reported', async () => {
  const road = cats[0].id;
  const coco = {
    images: [
      { id: 1, file_name: 'renamed.png', width: W, height: H, checksum_sha256: assets[7].checksum_sha256 },
      { id: 2, file_name: `images/${assets[8].file_name}`, width: W, height: H },
      { id: 3, file_name: 'unknown.png', width: W, height: H },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: road, segmentation: [[1, 1, 20, 1, 20, 15, 1, 15]], iscrowd: 0 },
      { id: 11, image_id: 2, category_id: road, segmentation: [[5, 5, 30, 5, 17, 40]], iscrowd: 0 },
      { id: 12, image_id: 3, category_id: road, segmentation: [[5, 5, 30, 5, 17, 40]] },
      { id: 13, image_id: 1, category_id: 4242, segmentation: [[5, 5, 30, 5, 17, 40]] },
      { id: 14, image_id: 1, category_id: road, segmentation: [[5, 5, 30]] },
      { id: 15, image_id: 99, category_id: road, segmentation: [[5, 5, 30, 5, 17, 40]] },
    ],
    categories: [{ id: road, name: 'road' }],
  };
  const im = await importZip(makeZip([{ name: 'annotations.json', data: JSON.stringify(coco) }]));
  assert.equal(im.state, 'done', JSON.stringify(im));
  assert.equal(im.format, 'coco');
  assert.equal(im.images, 2);
  assert.deepEqual(codes(im), ['bad_annotation', 'unknown_category', 'unknown_image', 'unknown_image']);
  assert.deepEqual((await ann(assets[7].id)).payload.objects[0].polygons, [[1, 1, 20, 1, 20, 15, 1, 15]]);
  assert.deepEqual((await ann(assets[8].id)).payload.objects[0].polygons, [[5, 5, 30, 5, 17, 40]]);
  await srv.req('POST', `/api/v1/imports/${im.id}/undo`, { token });
});

test('a label a person made after the import started is kept, and undo keeps later changes', async () => {
  const [road, tree] = [cats[0].id, cats[1].id];
  const mask = maskPng(W, H, rect(0, 0, 10, 10, road));
  // The labeler's label on assets[9] is dated after the upload: the
  // import must leave it (the database clock stands in for a race).
  const put = await srv.req('PUT', `/api/v1/assets/${assets[9].id}/annotation`, {
    token, body: { payload: { type: 'polygons', objects: [{ category_id: tree, polygons: [[0, 0, 5, 0, 5, 5]] }] } },
  });
  assert.equal(put.status, 200, put.text);
  await sql(`UPDATE annotations SET updated_at = updated_at + 3600000 WHERE asset_id = ${assets[9].id}`);
  const im = await importZip(makeZip([
    { name: assets[9].file_name, data: mask },
    { name: assets[10].file_name, data: mask },
  ]));
  assert.equal(im.images, 1);
  assert.deepEqual(codes(im), ['labeled_since_import']);
  assert.deepEqual((await ann(assets[9].id)).category_ids, [tree]);
  assert.deepEqual((await ann(assets[10].id)).category_ids, [road]);
  // A person edits assets[10] after the import: undo leaves that edit.
  const edit = await srv.req('PUT', `/api/v1/assets/${assets[10].id}/annotation`, {
    token, body: { payload: { type: 'polygons', objects: [{ category_id: tree, polygons: [[0, 0, 9, 0, 9, 9]] }] } },
  });
  assert.equal(edit.status, 200, edit.text);
  const u = await srv.req('POST', `/api/v1/imports/${im.id}/undo`, { token });
  assert.equal(u.json.undone, 0);
  assert.deepEqual((await ann(assets[10].id)).category_ids, [tree]);
});

test('hostile zips are refused at once and leave no import behind', async () => {
  const before = await importsCount();
  const png = maskPng(W, H, rect(0, 0, 4, 4, cats[0].id));
  const cases = [
    [makeZip([{ name: 'bomb.png', data: Buffer.alloc(30 << 20) }]), 413, 'zip_bomb'],
    [makeZip([{ name: '../escape.png', data: png }]), 400, 'unsafe_entry_name'],
    [makeZip([{ name: 'masks/../../escape.png', data: png }]), 400, 'unsafe_entry_name'],
    [makeZip([{ name: '/etc/escape.png', data: png }]), 400, 'unsafe_entry_name'],
    [makeZip([{ name: 'masks\\escape.png', data: png }]), 400, 'unsafe_entry_name'],
    [makeZip([{ name: 'C:/escape.png', data: png }]), 400, 'unsafe_entry_name'],
    [makeZip(Array.from({ length: 20001 }, (_, i) => ({ name: `m/${i}.png`, data: '', store: true }))), 413, 'too_many_entries'],
    [Buffer.from('not a zip at all'), 400, 'not_a_zip'],
    [makeZip([{ name: 'notes.txt', data: 'hello' }]), 400, 'nothing_to_import'],
  ];
  for (const [zip, status, code] of cases) {
    const r = await upload(zip);
    assert.equal(r.status, status, `${code}: ${r.text}`);
    assert.equal(r.json.error.code, code);
    assert.match(r.json.error.message, /\.$/);
  }
  assert.equal(await importsCount(), before);
  const other = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Boxes', task_type: 'detection' } });
  const r = await upload(makeZip([{ name: 'a.png', data: png }]), { project: other.json.id });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'not_segmentation');
});

test('a mask larger than its image, a 16-bit or palette mask with unexpected values and 10^6 points fail the whole import', async () => {
  const road = cats[0].id;
  const good = { name: assets[11].file_name, data: maskPng(W, H, rect(0, 0, 8, 8, road)) };
  const labeled = await labeledCount();
  const cases = [
    [[good, { name: assets[0].file_name, data: maskPng(W + 1, H, rect(0, 0, 8, 8, road)) }], 'mask_too_large'],
    [[good, { name: assets[0].file_name, data: maskPng(W, H, rect(0, 0, 8, 8, 257), { depth: 16 }) }], 'unexpected_mask_values'],
    [[good, { name: assets[0].file_name, data: maskPng(W, H, rect(0, 0, 8, 8, 255), { palette: true }) }], 'unexpected_mask_values'],
  ];
  const ring = Array.from({ length: 2 * 1000000 }, (_, i) => (i % 2 ? 10 : 10 + (i % 7)));
  // Stored, not deflated: JSON this repetitive would be refused as a zip bomb.
  cases.push([[{ name: 'annotations.json', store: true, data: JSON.stringify({
    images: [{ id: 1, file_name: assets[11].file_name }],
    annotations: [{ id: 1, image_id: 1, category_id: road, segmentation: [ring] }],
  }) }], 'too_many_points']);
  for (const [entries, code] of cases) {
    const im = await importZip(makeZip(entries));
    assert.equal(im.state, 'failed', `${code}: ${JSON.stringify(im)}`);
    assert.equal(im.error.code, code);
    assert.match(im.error.message, /\.$/);
    assert.equal(im.images, 0);
    assert.equal(await labeledCount(), labeled, `${code}: nothing imported`);
    const u = await srv.req('POST', `/api/v1/imports/${im.id}/undo`, { token });
    assert.equal(u.status, 409);
  }
  // The same 16-bit and palette masks with category values import.
  const ok = await importZip(makeZip([
    { name: assets[11].file_name, data: maskPng(W, H, rect(0, 0, 8, 8, road), { depth: 16 }) },
    { name: assets[0].file_name, data: maskPng(W, H, rect(0, 0, 8, 8, road), { palette: true }) },
  ]));
  assert.equal(ok.state, 'done', JSON.stringify(ok));
  assert.equal(ok.images, 2);
  await srv.req('POST', `/api/v1/imports/${ok.id}/undo`, { token });
});

test('only managers import and undo; members read imports; others see nothing', async () => {
  const labelerToken = await srv.addUser('lab');
  const m = await srv.req('POST', `/api/v1/projects/${pid}/members`, { token, body: { name: 'lab', role: 'labeler' } });
  assert.ok(m.status === 201 || m.status === 200, m.text);
  const { body, contentType } = multipart([{ name: 'file', filename: 'a.zip', data: makeZip([{ name: 'a.png', data: 'x' }]) }]);
  const r = await srv.req('POST', `/api/v1/projects/${pid}/imports`, { token: labelerToken, body, headers: { 'content-type': contentType }, raw: true });
  assert.equal(r.status, 403);
  const list = await srv.req('GET', `/api/v1/projects/${pid}/imports`, { token: labelerToken });
  assert.equal(list.status, 200);
  const id = list.json.imports[0].id;
  assert.equal((await srv.req('GET', `/api/v1/imports/${id}`, { token: labelerToken })).status, 200);
  assert.equal((await srv.req('POST', `/api/v1/imports/${id}/undo`, { token: labelerToken })).status, 403);
  const strangerToken = await srv.addUser('stranger');
  const s = await srv.req('GET', `/api/v1/imports/${id}`, { token: strangerToken });
  assert.equal(s.status, 404);
  assert.equal(s.json.error.code, 'import_not_found');
});

// Exports a project's labeled images and returns its annotations.json.
async function exported(projectId) {
  const r = await srv.req('POST', `/api/v1/projects/${projectId}/exports`, { token, body: { statuses: ['labeled'] } });
  assert.equal(r.status, 202, r.text);
  const ex = await waitExport(srv, token, r.json.id);
  assert.equal(ex.state, 'ready', JSON.stringify(ex));
  const res = await fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${token}` } });
  const dir = await mkdtemp(join(tmpdir(), 'tessera-import-'));
  try {
    const zip = join(dir, 'x.zip');
    await writeFile(zip, Buffer.from(await res.arrayBuffer()));
    return JSON.parse((await run('unzip', ['-p', zip, 'annotations.json'], { maxBuffer: 1 << 26 })).stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// The annotations of an export, independent of the project's ids: per
// image checksum, each object's category name and geometry.
function comparable(coco) {
  const names = new Map(coco.categories.map((c) => [c.id, c.name]));
  const sha = new Map(coco.images.map((im) => [im.id, im.checksum_sha256]));
  return coco.annotations.map((a) => JSON.stringify({
    image: sha.get(a.image_id), category: names.get(a.category_id), segmentation: a.segmentation,
    polygons: a.polygons, bbox: a.bbox, area: a.area, iscrowd: a.iscrowd, status: a.status, labeled_by: a.labeled_by,
  })).sort();
}

test('round trip: the COCO file of an export, imported into a new project with the same images, exports the same annotations', async () => {
  const make = async (name, catNames) => {
    const p = await srv.req('POST', '/api/v1/projects', { token, body: { name, task_type: 'segmentation' } });
    const ids = {};
    for (const n of catNames) ids[n] = (await srv.req('POST', `/api/v1/projects/${p.json.id}/categories`, { token, body: { name: n } })).json.id;
    return { id: p.json.id, cats: ids, assets: await uploadPngs(srv, token, p.json.id, 3, { start: 1300, w: W, h: H }) };
  };
  const a = await make('Source', ['road', 'tree', 'sky']);
  const objects = [
    [{ category_id: a.cats.road, polygons: [[1, 1, 30.5, 2, 20.25, 40]] },
      { category_id: a.cats.sky, polygons: [[40, 2, 60, 2, 60, 20, 40, 20], [45, 6, 50, 6, 50, 12, 45, 12]] }],
    [{ category_id: a.cats.tree, polygons: [[5, 5, 25, 5, 25, 25, 5, 25], [30, 30, 50, 30, 40, 45]] }],
    [{ category_id: a.cats.road, polygons: [[0, 0, 64, 0, 64, 48, 0, 48], [10, 10, 50, 10, 50, 40, 10, 40], [20, 20, 30, 20, 25, 30]] }],
  ];
  for (let i = 0; i < 3; i++) {
    const r = await srv.req('PUT', `/api/v1/assets/${a.assets[i].id}/annotation`, { token, body: { payload: { type: 'polygons', objects: objects[i] } } });
    assert.equal(r.status, 200, r.text);
  }
  const first = await exported(a.id);
  assert.ok(first.annotations.some((x) => !Array.isArray(x.segmentation)), 'an object with holes is exported as RLE');
  // The same images in a new project whose categories have other ids.
  const b = await make('Copy', ['sky', 'road', 'tree']);
  const im = await importZip(makeZip([{ name: 'annotations.json', data: JSON.stringify(first) }]), { project: b.id });
  assert.equal(im.state, 'done', JSON.stringify(im));
  assert.equal(im.images, 3);
  assert.equal(im.objects, 4);
  assert.equal(im.refused, 0, JSON.stringify(im.report));
  assert.deepEqual(comparable(await exported(b.id)), comparable(first));
});
