// Asset ingestion: uploads one file at a time judged, duplicates, the list
// with filters, counts and keyset pages, originals and thumbnails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startWithAdmin, tmpSettled } from '../lib/server.mjs';
import {
  corruptJpeg, formOf, makeJpegs, makePng, multipart, pngBomb, sha256,
} from '../lib/images.mjs';

let srv, token, small, big;
before(async () => {
  ({ srv, token } = await startWithAdmin());
  small = await makeJpegs(4, { w: 96, h: 64, start: 500, prefix: 'small' });
  big = await makeJpegs(1, { w: 640, h: 480, start: 900, prefix: 'big' });
});
after(async () => { await srv.close(); });

const api = (method, path, body, extra = {}) => srv.req(method, path, { token, body, ...extra });

async function newProject(name = 'Assets') {
  const r = await api('POST', '/api/v1/projects', { name });
  assert.equal(r.status, 201);
  return r.json.id;
}

const upload = (pid, files) => api('POST', `/api/v1/projects/${pid}/assets`, formOf(files));

function uploadRaw(pid, parts) {
  const { body, contentType } = multipart(parts);
  return api('POST', `/api/v1/projects/${pid}/assets`, body,
    { raw: true, headers: { 'content-type': contentType } });
}

async function listAll(pid, query = '', limit = 50) {
  const seen = [];
  let cursor = null;
  let counts;
  for (;;) {
    const q = `limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await api('GET', `/api/v1/projects/${pid}/assets?${q}`);
    assert.equal(r.status, 200, r.text);
    counts = r.json.counts;
    seen.push(...r.json.assets);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  return { assets: seen, counts };
}

async function filesUnder(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out;
}

const tmpNow = () => tmpSettled(srv.dataDir);
const blobFiles = () => filesUnder(join(srv.dataDir, 'blobs'));

async function waitFor(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('an uploaded JPEG and PNG keep their bytes, size, type and checksum', async () => {
  const pid = await newProject('Basics');
  const png = await makePng(33, 21);
  const r = await api('POST', `/api/v1/projects/${pid}/assets`, formOf([
    big[0], { name: 'noise.png', bytes: png },
  ]));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.errors, []);
  const [jpg, p] = r.json.assets;
  assert.equal(jpg.file_name, big[0].name);
  assert.equal(jpg.width, 640);
  assert.equal(jpg.height, 480);
  assert.equal(jpg.mime_type, 'image/jpeg');
  assert.equal(jpg.byte_size, big[0].bytes.length);
  assert.equal(jpg.checksum_sha256, sha256(big[0].bytes));
  assert.equal(jpg.duplicate, false);
  assert.deepEqual(jpg.source, { type: 'image' });
  assert.equal(jpg.uploaded_by, 'admin');
  assert.equal(jpg.annotation.status, 'unlabeled');
  assert.deepEqual(jpg.annotation.category_ids, []);
  assert.equal(p.mime_type, 'image/png');
  assert.equal(p.width, 33);
  assert.equal(p.height, 21);
  assert.equal(p.checksum_sha256, sha256(png));

  const got = await api('GET', `/api/v1/assets/${jpg.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.json.checksum_sha256, jpg.checksum_sha256);
  const file = await fetch(`${srv.url}/api/v1/assets/${jpg.id}/file`,
    { headers: { authorization: `Bearer ${token}` } });
  assert.equal(file.status, 200);
  assert.deepEqual(Buffer.from(await file.arrayBuffer()), big[0].bytes);
  // Thumbnails come from the job workers.
  for (const a of [jpg, p]) {
    await waitFor(async () => (await api('GET', `/api/v1/assets/${a.id}`)).json.thumbnail_ready);
  }
  assert.deepEqual(await tmpNow(), []);
});

test('120 images in one request all go in, each exactly once in the list', async () => {
  const pid = await newProject('One request');
  const imgs = await makeJpegs(120, { start: 0, prefix: 'one' });
  const r = await upload(pid, imgs);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.assets.length, 120);
  assert.deepEqual(r.json.errors, []);
  r.json.assets.forEach((a, i) => assert.equal(a.checksum_sha256, sha256(imgs[i].bytes)));
  const { assets, counts } = await listAll(pid, '', 7);
  assert.equal(assets.length, 120);
  assert.equal(new Set(assets.map((a) => a.id)).size, 120);
  assert.deepEqual(counts, {
    all: 120, unlabeled: 120, labeled: 0, skipped: 0, needs_review: 0, approved: 0, in_review: 0, done: 0,
  });
  const ids = assets.map((a) => a.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
});

test('120 images in 8 parallel requests all go in', async () => {
  const pid = await newProject('Parallel');
  const imgs = await makeJpegs(120, { start: 200, prefix: 'par' });
  const batches = Array.from({ length: 8 }, (_, b) => imgs.slice(b * 15, b * 15 + 15));
  const results = await Promise.all(batches.map((b) => upload(pid, b)));
  for (const r of results) {
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.assets.length, 15);
  }
  const { assets, counts } = await listAll(pid, '', 200);
  assert.equal(assets.length, 120);
  assert.equal(counts.all, 120);
  const sums = new Set(assets.map((a) => a.checksum_sha256));
  for (const img of imgs) assert.ok(sums.has(sha256(img.bytes)));
});

test('the same bytes again are found as a duplicate, in the same request too', async () => {
  const pid = await newProject('Dups');
  const first = await upload(pid, [small[0]]);
  assert.equal(first.status, 201);
  const again = await upload(pid, [{ ...small[0], name: 'renamed.jpg' }, small[0], small[1]]);
  assert.equal(again.status, 201);
  const [a, b, c] = again.json.assets;
  assert.equal(a.duplicate, true);
  assert.equal(a.id, first.json.assets[0].id);
  assert.equal(a.file_name, small[0].name, 'the existing asset keeps its name');
  assert.equal(b.duplicate, true);
  assert.equal(c.duplicate, false);
  const { counts } = await listAll(pid);
  assert.equal(counts.all, 2);
  // Another project is another dataset: the same bytes make a new asset.
  const other = await newProject('Dups elsewhere');
  const r = await upload(other, [small[0]]);
  assert.equal(r.json.assets[0].duplicate, false);
  assert.notEqual(r.json.assets[0].id, a.id);
});

test('bad files are refused one by one while the good ones go in', async () => {
  const pid = await newProject('Bad files');
  const blobsBefore = (await blobFiles()).length;
  const good = await makeJpegs(2, { start: 700, prefix: 'good' });
  const jpeg = big[0].bytes;
  const parts = [
    { filename: 'good1.jpg', data: good[0].bytes },
    { filename: 'notes.txt', data: 'just some text, not an image\n' },
    { filename: 'half.jpg', data: jpeg.subarray(0, Math.floor(jpeg.length / 2)) },
    { filename: 'broken.jpg', data: corruptJpeg(jpeg) },
    { filename: 'empty.jpg', data: Buffer.alloc(0) },
    { filename: 'bomb.png', data: pngBomb() },
    { filename: '../../etc/passwd.jpg', data: small[2].bytes },
    { filename: 'dir\\evil.jpg', data: small[2].bytes },
    { filename: 'ctl\u0001name.jpg', data: small[2].bytes },
    { filename: `${'x'.repeat(1000)}.jpg`, data: small[2].bytes },
    { filename: null, data: small[2].bytes },
    { name: 'caption', filename: null, data: 'hello' },
    { filename: 'good2.jpg', data: good[1].bytes },
  ];
  const r = await uploadRaw(pid, parts);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.assets.map((a) => a.file_name), ['good1.jpg', 'good2.jpg']);
  const codes = r.json.errors.map((e) => e.code);
  assert.deepEqual(codes, ['not_an_image', 'corrupt_image', 'corrupt_image', 'empty_file',
    'too_many_pixels', 'invalid_file_name', 'invalid_file_name', 'invalid_file_name',
    'invalid_file_name', 'missing_file_name', 'unexpected_field']);
  for (const e of r.json.errors) {
    assert.ok(e.message.length > 5, e.code);
    assert.ok(!/\u0001/.test(e.file_name ?? ''), 'control characters are not echoed');
  }
  assert.equal(r.json.errors[0].file_name, 'notes.txt');
  assert.match(r.json.errors[4].message, /60000 x 60000/);
  assert.match(r.json.errors[5].message, /path separator/);
  // Nothing half-written: no temporary file, only the two good blobs, two rows.
  assert.deepEqual(await tmpNow(), []);
  assert.equal((await blobFiles()).length, blobsBefore + 2);
  const { counts } = await listAll(pid);
  assert.equal(counts.all, 2);
});

test('a request of only bad files is refused with every reason', async () => {
  const pid = await newProject('All bad');
  const r = await uploadRaw(pid, [{ filename: 'a.txt', data: 'no' }, { filename: 'b.jpg', data: '' }]);
  assert.equal(r.status, 422);
  assert.equal(r.json.error.code, 'no_valid_files');
  assert.deepEqual(r.json.errors.map((e) => e.code), ['not_an_image', 'empty_file']);
  const none = await uploadRaw(pid, []);
  assert.equal(none.status, 400);
});

test('a file over the size limit is refused; the rest of the request goes in', async () => {
  const { srv: s2, token: t2 } = await startWithAdmin({ env: { TESSERA_MAX_UPLOAD_BYTES: '20000' } });
  try {
    const p = await s2.req('POST', '/api/v1/projects', { token: t2, body: { name: 'Limits' } });
    const { body, contentType } = multipart([
      { filename: 'large.jpg', data: Buffer.concat([big[0].bytes, Buffer.alloc(30000)]) },
      { filename: 'ok.jpg', data: small[3].bytes },
    ]);
    const r = await s2.req('POST', `/api/v1/projects/${p.json.id}/assets`,
      { token: t2, body, raw: true, headers: { 'content-type': contentType } });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.assets.length, 1);
    assert.equal(r.json.errors[0].code, 'file_too_large');
    assert.deepEqual(await tmpSettled(s2.dataDir), []);
  } finally {
    await s2.close();
  }
});

test('a client that disconnects mid-upload leaves nothing behind', async () => {
  const pid = await newProject('Disconnect');
  const { body, contentType } = multipart([{ filename: 'big.jpg', data: big[0].bytes }]);
  await new Promise((resolve) => {
    const req = request(`${srv.url}/api/v1/projects/${pid}/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType,
        'content-length': body.length },
    });
    req.on('error', () => resolve());
    req.write(body.subarray(0, Math.floor(body.length / 2)));
    setTimeout(() => { req.destroy(); resolve(); }, 300);
  });
  await waitFor(async () => (await tmpNow()).length === 0, 5000);
  const { counts } = await listAll(pid);
  assert.equal(counts.all, 0);
});

test('uploads are checked: auth, project, content type, malformed bodies', async () => {
  const pid = await newProject('Checks');
  const noAuth = await srv.req('POST', `/api/v1/projects/${pid}/assets`, { body: formOf([small[0]]) });
  assert.equal(noAuth.status, 401);
  const unknown = await upload(999999, [small[0]]);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error.code, 'project_not_found');
  const json = await api('POST', `/api/v1/projects/${pid}/assets`, { file: 'x' });
  assert.equal(json.status, 415);
  const noBoundary = await api('POST', `/api/v1/projects/${pid}/assets`, 'garbage',
    { raw: true, headers: { 'content-type': 'multipart/form-data' } });
  assert.equal(noBoundary.status, 400);
  const junk = await api('POST', `/api/v1/projects/${pid}/assets`, 'garbage without parts',
    { raw: true, headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
  assert.ok([400, 422].includes(junk.status), junk.text);
  assert.deepEqual(await tmpNow(), []);
});

test('list parameters are validated', async () => {
  const pid = await newProject('Params');
  for (const q of ['status=nope', 'limit=0', 'limit=5000', 'limit=abc', 'cursor=zzz',
    'category_id=-1', 'category_id=x']) {
    const r = await api('GET', `/api/v1/projects/${pid}/assets?${q}`);
    assert.equal(r.status, 400, q);
    assert.ok(r.json.error.code, q);
  }
  assert.equal((await api('GET', '/api/v1/projects/999999/assets')).status, 404);
  assert.equal((await api('GET', '/api/v1/assets/999999')).status, 404);
  assert.equal((await api('GET', '/api/v1/assets/999999/file')).status, 404);
  assert.equal((await api('GET', '/api/v1/assets/999999/thumbnail')).status, 404);
});

test('filters and counts follow the annotations exactly', async () => {
  const pid = await newProject('Filters');
  const cat = await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'cat' });
  const dog = await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'dog' });
  const imgs = await makeJpegs(10, { start: 1000, prefix: 'flt' });
  const ids = (await upload(pid, imgs)).json.assets.map((a) => a.id);
  const put = (id, body) => api('PUT', `/api/v1/assets/${id}/annotation`, body);
  // 0,1,2 labeled cat; 3 labeled dog; 4 approved cat; 5 needs_review dog; 6,7 skipped.
  for (const i of [0, 1, 2, 4]) assert.equal((await put(ids[i], { category_ids: [cat.json.id] })).status, 200);
  for (const i of [3, 5]) assert.equal((await put(ids[i], { category_ids: [dog.json.id] })).status, 200);
  assert.equal((await put(ids[4], { status: 'approved' })).status, 200);
  assert.equal((await put(ids[5], { status: 'needs_review' })).status, 200);
  for (const i of [6, 7]) assert.equal((await put(ids[i], { status: 'skipped' })).status, 200);

  const expect = {
    all: ids, unlabeled: [ids[8], ids[9]], in_review: [ids[0], ids[1], ids[2], ids[3], ids[5]],
    done: [ids[4]], skipped: [ids[6], ids[7]],
  };
  for (const [status, want] of Object.entries(expect)) {
    const { assets, counts } = await listAll(pid, `&status=${status}`, 2);
    assert.deepEqual(assets.map((a) => a.id), want, status);
    assert.deepEqual(counts, {
      all: 10, unlabeled: 2, labeled: 4, skipped: 2, needs_review: 1, approved: 1, in_review: 5, done: 1,
    });
  }
  const cats = await listAll(pid, `&category_id=${cat.json.id}`, 2);
  assert.deepEqual(cats.assets.map((a) => a.id), [ids[0], ids[1], ids[2], ids[4]]);
  assert.deepEqual(cats.counts, {
    all: 4, unlabeled: 0, labeled: 3, skipped: 0, needs_review: 0, approved: 1, in_review: 3, done: 1,
  });
  const doneCats = await listAll(pid, `&category_id=${cat.json.id}&status=done`);
  assert.deepEqual(doneCats.assets.map((a) => a.id), [ids[4]]);
  assert.deepEqual(cats.assets[0].annotation.category_ids, [cat.json.id]);
  assert.equal(cats.assets[0].annotation.labeled_by, 'admin');
});

test('pages hold every asset exactly once while uploads keep coming', async () => {
  const pid = await newProject('Concurrent pages');
  const initial = await makeJpegs(60, { start: 1200, prefix: 'pg' });
  const before = (await upload(pid, initial)).json.assets.map((a) => a.id);
  const more = await makeJpegs(40, { start: 1300, prefix: 'pgm' });
  const inserting = (async () => {
    for (let i = 0; i < more.length; i += 5) await upload(pid, more.slice(i, i + 5));
  })();
  const seen = [];
  let cursor = null;
  do {
    const r = await api('GET', `/api/v1/projects/${pid}/assets?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...r.json.assets.map((a) => a.id));
    cursor = r.json.next_cursor;
    await new Promise((res) => setTimeout(res, 5));
  } while (cursor);
  await inserting;
  assert.equal(new Set(seen).size, seen.length, 'no asset twice');
  for (const id of before) assert.ok(seen.includes(id), `asset ${id} was skipped`);
  const { assets } = await listAll(pid, '', 1000);
  assert.equal(assets.length, 100);
});

test('originals: strong ETag, immutable caching, 304 and byte ranges', async () => {
  const pid = await newProject('Bytes');
  const a = (await upload(pid, [big[0]])).json.assets[0];
  const url = `${srv.url}/api/v1/assets/${a.id}/file`;
  const auth = { authorization: `Bearer ${token}` };
  const full = await fetch(url, { headers: auth });
  const etag = `"${a.checksum_sha256}"`;
  assert.equal(full.headers.get('etag'), etag);
  assert.equal(full.headers.get('cache-control'), 'private, max-age=31536000, immutable');
  assert.equal(full.headers.get('accept-ranges'), 'bytes');
  assert.equal(full.headers.get('content-type'), 'image/jpeg');
  assert.equal(sha256(Buffer.from(await full.arrayBuffer())), a.checksum_sha256);

  const cached = await fetch(url, { headers: { ...auth, 'if-none-match': etag } });
  assert.equal(cached.status, 304);
  assert.equal(cached.headers.get('etag'), etag);
  const stale = await fetch(url, { headers: { ...auth, 'if-none-match': '"other"' } });
  assert.equal(stale.status, 200);
  await stale.arrayBuffer();

  const n = big[0].bytes.length;
  const cases = [['bytes=0-0', 0, 1], ['bytes=10-19', 10, 10], ['bytes=-100', n - 100, 100],
    [`bytes=${n - 5}-`, n - 5, 5], [`bytes=100-${n + 1000}`, 100, n - 100]];
  for (const [range, start, len] of cases) {
    const r = await fetch(url, { headers: { ...auth, range } });
    assert.equal(r.status, 206, range);
    assert.equal(r.headers.get('content-range'), `bytes ${start}-${start + len - 1}/${n}`);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), big[0].bytes.subarray(start, start + len));
  }
  const out = await fetch(url, { headers: { ...auth, range: `bytes=${n}-` } });
  assert.equal(out.status, 416);
  assert.equal(out.headers.get('content-range'), `bytes */${n}`);
  await out.arrayBuffer();
  const ignored = await fetch(url, { headers: { ...auth, range: 'bytes=0-1,5-6' } });
  assert.equal(ignored.status, 200);
  await ignored.arrayBuffer();
});

test('a thumbnail is a small JPEG, made on demand if its job has not run', async () => {
  const pid = await newProject('Thumbs');
  const a = (await upload(pid, [big[0]])).json.assets[0];
  const url = `${srv.url}/api/v1/assets/${a.id}/thumbnail`;
  const auth = { authorization: `Bearer ${token}` };
  const r = await fetch(url, { headers: auth });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/jpeg');
  assert.equal(r.headers.get('cache-control'), 'private, max-age=31536000, immutable');
  const etag = r.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]{64}-t256"$/);
  const body = Buffer.from(await r.arrayBuffer());
  assert.deepEqual([...body.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.ok(body.length < big[0].bytes.length);
  // SOF0 gives the size: the long side is 256 (640x480 -> 256x192).
  const sof = body.indexOf(Buffer.from([0xff, 0xc0]));
  assert.ok(sof > 0);
  assert.equal(body.readUInt16BE(sof + 5), 192);
  assert.equal(body.readUInt16BE(sof + 7), 256);
  const again = await fetch(url, { headers: { ...auth, 'if-none-match': etag } });
  assert.equal(again.status, 304);
  await waitFor(async () => (await api('GET', `/api/v1/assets/${a.id}`)).json.thumbnail_ready);
});

test('once every thumbnail job has run, nothing is left in tmp/', async () => {
  const pid = await newProject('Quiet');
  await upload(pid, small);
  await waitFor(async () => {
    const r = await api('GET', `/api/v1/projects/${pid}/assets`);
    return r.json.assets.every((a) => a.thumbnail_ready);
  });
  await waitFor(async () => (await tmpNow()).length === 0, 20000);
});
