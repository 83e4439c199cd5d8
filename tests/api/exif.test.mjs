// One coordinate frame for oriented images: a JPEG whose EXIF orientation
// turns it a quarter is reported, thumbnailed, checked for boxes and
// exported as shown (200 x 400 for a 400 x 200 picture with orientation 6).
// A detection export writes it with the pixels turned and the tag gone, so a
// reader that ignores EXIF sees what the labeler saw (so does a
// segmentation export); a classification export keeps the uploaded bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, BIN, SANITIZED } from '../lib/server.mjs';

const run = promisify(execFile);
const WAIT_MS = SANITIZED ? 60000 : 20000;
let srv, token, work, jpeg;

const api = async (method, path, body, expect) => {
  const r = await srv.req(method, path, { token, body });
  if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.text}`);
  return r;
};
const sha = (b) => createHash('sha256').update(b).digest('hex');

// APP1 "Exif": a big-endian TIFF header and IFD0 with one entry,
// Orientation (0x0112, SHORT, 1) = o.
function exifApp1(o) {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1,
    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), len, body]);
}

// Raw pixel (r, g, b) at x, y, as decoded with no orientation applied.
async function pixel(file, x, y) {
  const { stdout } = await run('vips', ['getpoint', file, String(x), String(y)]);
  return stdout.trim().split(/\s+/).map(Number);
}
const isRed = ([r, g, b]) => r > 200 && g < 60 && b < 60;
const isBlue = ([r, g, b]) => b > 200 && r < 60 && g < 60;

async function upload(pid, name) {
  const fd = new FormData();
  fd.append('file', new Blob([jpeg], { type: 'image/jpeg' }), name);
  const r = await api('POST', `/api/v1/projects/${pid}/assets`, fd, 201);
  assert.deepEqual(r.json.errors, []);
  return r.json.assets[0];
}

async function project(name, taskType) {
  const p = (await api('POST', '/api/v1/projects', { name, task_type: taskType }, 201)).json;
  const c = (await api('POST', `/api/v1/projects/${p.id}/categories`, { name: 'red' }, 201)).json;
  return { id: p.id, cat: c.id };
}

async function exportAll(pid) {
  const r = await api('POST', `/api/v1/projects/${pid}/exports`, { statuses: ['labeled', 'approved'] }, 202);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const e = (await api('GET', `/api/v1/exports/${r.json.id}`, undefined, 200)).json;
    if (e.state === 'ready') return join(srv.dataDir, 'exports', String(e.project_id), String(e.version));
    assert.notEqual(e.state, 'failed', JSON.stringify(e));
    if (Date.now() > deadline) throw new Error('export not ready');
    await new Promise((res) => setTimeout(res, 30));
  }
}

before(async () => {
  ({ srv, token } = await startWithAdmin());
  work = await mkdtemp(join(tmpdir(), 'tessera-exif-'));
  // 400 x 200: the left half red, the right half blue.
  const W = 400;
  const H = 200;
  const px = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) px[(y * W + x) * 3 + (x < W / 2 ? 0 : 2)] = 255;
  }
  await writeFile(join(work, 'in.ppm'), Buffer.concat([Buffer.from(`P6\n${W} ${H}\n255\n`), px]));
  await run('vips', ['copy', join(work, 'in.ppm'), `${join(work, 'plain.jpg')}[Q=95,strip]`]);
  const plain = await readFile(join(work, 'plain.jpg'));
  // Orientation 6: shown turned a quarter clockwise, 200 x 400, red on top.
  jpeg = Buffer.concat([plain.subarray(0, 2), exifApp1(6), plain.subarray(2)]);
  await writeFile(join(work, 'oriented.jpg'), jpeg);
});
after(async () => {
  await srv.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('an oriented JPEG is reported and thumbnailed as shown', async () => {
  const p = await project('Shown', 'detection');
  const a = await upload(p.id, 'turned.jpg');
  assert.equal(a.width, 200);
  assert.equal(a.height, 400);
  const again = (await api('GET', `/api/v1/assets/${a.id}`, undefined, 200)).json;
  assert.equal(again.width, 200);
  assert.equal(again.height, 400);
  const th = await fetch(`${srv.url}/api/v1/assets/${a.id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(th.status, 200);
  await writeFile(join(work, 'thumb.jpg'), Buffer.from(await th.arrayBuffer()));
  const { stdout } = await run('vipsheader', ['-f', 'width', join(work, 'thumb.jpg')]);
  const { stdout: h } = await run('vipsheader', ['-f', 'height', join(work, 'thumb.jpg')]);
  assert.deepEqual([Number(stdout), Number(h)], [128, 256]);
  // Boxes are checked in that frame: the whole shown picture fits, the raw
  // 400 x 200 does not.
  const put = (bbox) => srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { payload: { type: 'boxes', objects: [{ category_id: p.cat, bbox }] } } });
  assert.equal((await put([0, 0, 200, 400])).status, 200);
  const wide = await put([0, 0, 400, 200]);
  assert.equal(wide.status, 400, wide.text);
  assert.equal(wide.json.error.code, 'box_outside_image');
});

test('a detection export writes the oriented image turned, and its box covers the red', async () => {
  const p = await project('Turned export', 'detection');
  const a = await upload(p.id, 'turned.jpg');
  const r = await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { payload: { type: 'boxes', objects: [{ category_id: p.cat, bbox: [0, 0, 200, 200] }] } } });
  assert.equal(r.status, 200, r.text);
  const dir = await exportAll(p.id);
  const ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  const im = ann.images[0];
  const file = join(dir, 'images', im.file_name);
  const bytes = await readFile(file);
  // annotations.json states the exported file's own size and hash.
  assert.equal(im.width, 200);
  assert.equal(im.height, 400);
  assert.equal(im.checksum_sha256, sha(bytes));
  assert.notEqual(im.checksum_sha256, a.checksum_sha256);
  const hdr = (f) => run('vipsheader', ['-f', f, file]).then((o) => o.stdout.trim());
  assert.equal(await hdr('width'), '200');
  assert.equal(await hdr('height'), '400');
  const all = (await run('vipsheader', ['-a', file])).stdout;
  assert.doesNotMatch(all, /orientation: [2-8]/);
  // The box [0, 0, 200, 200] is red in the file as decoded without EXIF.
  const [bx, by, bw, bh] = ann.annotations[0].bbox;
  for (const [x, y] of [[bx + 10, by + 10], [bx + bw - 10, by + bh - 10], [bx + bw / 2, by + bh / 2]]) {
    assert.ok(isRed(await pixel(file, x, y)), `${x},${y}`);
  }
  assert.ok(isBlue(await pixel(file, 100, 300)));
  const v = await run(BIN, ['verify', dir]).then(() => 0, (e) => `${e.stdout}${e.stderr}`);
  assert.equal(v, 0);
});

test('a segmentation export writes the oriented image turned, and its polygon and mask cover the red', async () => {
  const p = await project('Turned masks', 'segmentation');
  const a = await upload(p.id, 'turned.jpg');
  // A polygon outside the shown 200 x 400 frame is refused; the red top
  // half as a square with a hole is kept (written as RLE).
  const put = (polygons) => srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { payload: { type: 'polygons', objects: [{ category_id: p.cat, polygons }] } } });
  const wide = await put([[0, 0, 400, 0, 400, 200, 0, 200]]);
  assert.equal(wide.status, 400, wide.text);
  assert.equal(wide.json.error.code, 'polygon_outside_image');
  const r = await put([[0, 0, 200, 0, 200, 200, 0, 200], [50, 50, 50, 150, 150, 150, 150, 50]]);
  assert.equal(r.status, 200, r.text);
  const dir = await exportAll(p.id);
  const ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  const im = ann.images[0];
  const file = join(dir, 'images', im.file_name);
  assert.equal(im.width, 200);
  assert.equal(im.height, 400);
  assert.equal(im.checksum_sha256, sha(await readFile(file)));
  const all = (await run('vipsheader', ['-a', file])).stdout;
  assert.doesNotMatch(all, /orientation: [2-8]/);
  const seg = ann.annotations[0].segmentation;
  assert.deepEqual(seg.size, [400, 200]);
  assert.equal(ann.annotations[0].area, 200 * 200 - 100 * 100);
  // The ring's corners are red in the file decoded without EXIF; below it, blue.
  for (const [x, y] of [[10, 10], [190, 190], [25, 100]]) assert.ok(isRed(await pixel(file, x, y)), `${x},${y}`);
  assert.ok(isBlue(await pixel(file, 100, 300)));
  const v = await run(BIN, ['verify', dir]).then(() => 0, (e) => `${e.stdout}${e.stderr}`);
  assert.equal(v, 0);
});

test('a classification export keeps the uploaded bytes of an oriented image', async () => {
  const p = await project('Kept bytes', 'classification_single');
  const a = await upload(p.id, 'turned.jpg');
  assert.deepEqual([a.width, a.height], [200, 400]);
  const r = await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { category_ids: [p.cat] } });
  assert.equal(r.status, 200, r.text);
  const dir = await exportAll(p.id);
  const ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  const bytes = await readFile(join(dir, 'images', ann.images[0].file_name));
  assert.equal(sha(bytes), sha(jpeg));
  assert.equal(ann.images[0].checksum_sha256, sha(jpeg));
});
