// Blobs in an S3-compatible object store (--blobs s3://bucket/prefix),
// against a real one: OpenStack Swift with s3api, started on loopback for
// this file (tests/lib/swift.mjs). Originals, thumbnails, video frames and
// export zips land in the bucket under content-addressed keys, and are
// served (with Range and ETag) after the local cache is emptied. An object
// above the part size (TESSERA_S3_PART_BYTES) is a multipart upload, and a
// failed one leaves neither an object nor a pending upload. A wrong secret
// stops the server from starting; a wrong payload hash is refused by the
// store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, BIN, SANITIZED } from '../lib/server.mjs';
import { startSwift, swiftMissing } from '../lib/swift.mjs';
import { makeJpegs, sha256 } from '../lib/images.mjs';
import { waitExport, verifyExport } from '../lib/exports.mjs';
import { pngFile } from '../lib/tinypng.mjs';

const run = promisify(execFile);
const missing = swiftMissing();
if (missing) console.log(`# s3_storage: skipped: ${missing}`);
const WAIT_MS = SANITIZED ? 60000 : 20000;
const PREFIX = 'team/one';

let s3, srv, token, work;

const s3Env = (over = {}) => ({
  TESSERA_S3_ENDPOINT: s3.endpoint, TESSERA_S3_REGION: s3.region,
  AWS_ACCESS_KEY_ID: s3.accessKey, AWS_SECRET_ACCESS_KEY: s3.secretKey, ...over,
});
const blobsUrl = () => `s3://${s3.bucket}/${PREFIX}`;

before(async () => {
  if (missing) return;
  s3 = await startSwift();
  console.log(`# Swift with s3api started in ${s3.startMs} ms`);
  work = await mkdtemp(join(tmpdir(), 'tessera-s3-'));
  ({ srv, token } = await startWithAdmin({ args: ['--blobs', blobsUrl()], env: s3Env() }));
});

after(async () => {
  await srv?.close();
  await s3?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const api = (method, path, body) => srv.req(method, path, { token, body });
const auth = () => ({ authorization: `Bearer ${token}` });
const inBucket = (key) => s3.request('GET', `/${s3.bucket}/${PREFIX}/${key}`);
const blobKey = (hex) => `blobs/sha256/${hex.slice(0, 2)}/${hex}`;

async function waitFor(fn, ms = WAIT_MS) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Empties a server's data folder's copies of blobs, thumbnails and
// exports: what a second server (or a fresh machine) has.
async function dropLocalIn(server, ...areas) {
  for (const a of areas) {
    const dir = join(server.dataDir, a);
    for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
  }
}
const dropLocal = (...areas) => dropLocalIn(srv, ...areas);

async function newProject(name) {
  const r = await api('POST', '/api/v1/projects', { name });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

async function uploadImages(pid, files) {
  const fd = new FormData();
  for (const f of files) fd.append('file', new Blob([f.bytes], { type: 'image/jpeg' }), f.name);
  const r = await api('POST', `/api/v1/projects/${pid}/assets`, fd);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.errors.length, 0, r.text);
  return r.json.assets;
}

test('originals and thumbnails live in the bucket and are served from it with Range and ETag', { skip: missing || false }, async () => {
  const pid = await newProject('Bucket');
  const files = await makeJpegs(2, { w: 160, h: 120, prefix: 's3' });
  const assets = await uploadImages(pid, files);
  for (const [i, a] of assets.entries()) {
    assert.equal(a.checksum_sha256, sha256(files[i].bytes));
    const obj = await inBucket(blobKey(a.checksum_sha256));
    assert.equal(obj.status, 200, `the original is in the bucket under its digest: ${obj.text}`);
    assert.deepEqual(obj.body, files[i].bytes);
  }
  for (const a of assets) {
    await waitFor(async () => (await api('GET', `/api/v1/assets/${a.id}`)).json.thumbnail_ready);
  }
  const thumbs = [];
  for (const a of assets) {
    const h = a.checksum_sha256;
    const t = await inBucket(`thumbs/${h.slice(0, 2)}/${h}.jpg`);
    assert.equal(t.status, 200, 'the thumbnail is in the bucket');
    assert.deepEqual([...t.body.subarray(0, 2)], [0xff, 0xd8]);
    thumbs.push(t.body);
  }

  await dropLocal('blobs/sha256', 'thumbs');
  const a = assets[0];
  const bytes = files[0].bytes;
  const url = `${srv.url}/api/v1/assets/${a.id}/file`;
  const etag = `"${a.checksum_sha256}"`;
  const range = await fetch(url, { headers: { ...auth(), range: 'bytes=10-19' } });
  assert.equal(range.status, 206);
  assert.equal(range.headers.get('etag'), etag);
  assert.equal(range.headers.get('content-range'), `bytes 10-19/${bytes.length}`);
  assert.deepEqual(Buffer.from(await range.arrayBuffer()), bytes.subarray(10, 20));
  const full = await fetch(url, { headers: auth() });
  assert.equal(full.status, 200);
  assert.equal(sha256(Buffer.from(await full.arrayBuffer())), a.checksum_sha256);
  const cached = await fetch(url, { headers: { ...auth(), 'if-none-match': etag } });
  assert.equal(cached.status, 304);
  for (const [i, b] of assets.entries()) {
    const t = await fetch(`${srv.url}/api/v1/assets/${b.id}/thumbnail`, { headers: auth() });
    assert.equal(t.status, 200);
    assert.equal(t.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(Buffer.from(await t.arrayBuffer()), thumbs[i], 'the thumbnail came back from the bucket');
  }
});

test('an export zip is stored in the bucket, downloaded from it and verifies', { skip: missing || false }, async () => {
  const pid = await newProject('Exported');
  const cat = (await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'thing' })).json.id;
  const assets = await uploadImages(pid, await makeJpegs(3, { start: 40, prefix: 'ex' }));
  for (const a of assets) {
    assert.equal((await api('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cat] })).status, 200);
    assert.equal((await api('PUT', `/api/v1/assets/${a.id}/annotation`, { status: 'approved' })).status, 200);
  }
  // The export is built from originals fetched back from the bucket.
  await dropLocal('blobs/sha256');
  const r = await api('POST', `/api/v1/projects/${pid}/exports`);
  assert.equal(r.status, 202, r.text);
  const ex = await waitExport(srv, token, r.json.id, WAIT_MS);
  assert.equal(ex.state, 'ready', ex.error);
  const download = async () => {
    const d = await fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: auth() });
    assert.equal(d.status, 200);
    return Buffer.from(await d.arrayBuffer());
  };
  const zip = await download();
  assert.equal(zip.length, ex.zip_bytes);
  const stored = await inBucket(`exports/${pid}/${ex.version}.zip`);
  assert.equal(stored.status, 200, 'the zip is in the bucket');
  assert.deepEqual(stored.body, zip);

  // The same labels again: a version that shares the first one's files
  // (its zip is parts on disk) is stored whole.
  const r2 = await api('POST', `/api/v1/projects/${pid}/exports`);
  assert.equal(r2.status, 202, r2.text);
  const ex2 = await waitExport(srv, token, r2.json.id, WAIT_MS);
  assert.equal(ex2.state, 'ready', ex2.error);
  assert.equal(ex2.identical_to_version, ex.version);
  assert.ok(existsSync(join(srv.dataDir, 'exports', String(pid), `${ex2.version}.zip.parts`)), 'its zip is parts');
  const d2 = await fetch(`${srv.url}/api/v1/exports/${ex2.id}/download`, { headers: auth() });
  const zip2 = Buffer.from(await d2.arrayBuffer());
  assert.equal(zip2.length, ex2.zip_bytes);
  const stored2 = await inBucket(`exports/${pid}/${ex2.version}.zip`);
  assert.equal(stored2.status, 200, 'the shared zip is in the bucket');
  assert.deepEqual(stored2.body, zip2);

  await dropLocal('exports');
  const again = await download();
  assert.deepEqual(again, zip, 'the zip came back from the bucket');
  const path = join(work, 'export.zip');
  await writeFile(path, again);
  const v = await verifyExport(path);
  assert.equal(v.code, 0, v.out);
  const d3 = await fetch(`${srv.url}/api/v1/exports/${ex2.id}/download`, { headers: { ...auth(), range: 'bytes=0-99' } });
  assert.equal(d3.status, 206);
  assert.deepEqual(Buffer.from(await d3.arrayBuffer()), zip2.subarray(0, 100), 'the shared zip came back whole');

  // Deleting the first version removes its zip from the bucket too; the
  // second, which shared its files, keeps its own.
  assert.equal((await api('DELETE', `/api/v1/exports/${ex.id}`)).status, 204);
  assert.equal((await inBucket(`exports/${pid}/${ex.version}.zip`)).status, 404, 'the deleted zip left the bucket');
  assert.equal((await inBucket(`exports/${pid}/${ex2.version}.zip`)).status, 200);
  const d4 = await fetch(`${srv.url}/api/v1/exports/${ex2.id}/download`, { headers: auth() });
  assert.equal(d4.status, 200);
  assert.deepEqual(Buffer.from(await d4.arrayBuffer()), zip2);
});

test("a video's frames are stored in the bucket", { skip: missing || false }, async () => {
  const pid = await newProject('Frames');
  const file = join(work, 'clip.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
    'testsrc=size=64x48:rate=10:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
  const form = new FormData();
  form.append('frames', '4');
  form.append('file', new Blob([await readFile(file)]), 'clip.mp4');
  const up = await api('POST', `/api/v1/projects/${pid}/videos`, form);
  assert.equal(up.status, 202, up.text);
  let video;
  await waitFor(async () => {
    video = (await api('GET', `/api/v1/videos/${up.json.id}`)).json;
    return video.state === 'ready' || video.state === 'failed';
  });
  assert.equal(video.state, 'ready', JSON.stringify(video));
  const list = await api('GET', `/api/v1/projects/${pid}/assets?limit=100`);
  const frames = list.json.assets.filter((a) => a.source && a.source.video_id === video.id);
  assert.equal(frames.length, 4);
  for (const f of frames) {
    const obj = await s3.request('HEAD', `/${s3.bucket}/${PREFIX}/${blobKey(f.checksum_sha256)}`);
    assert.equal(obj.status, 200, `frame ${f.source.frame_index} is in the bucket`);
  }
  const video1 = await s3.request('HEAD', `/${s3.bucket}/${PREFIX}/${blobKey(video.checksum_sha256)}`);
  assert.equal(video1.status, 200, 'the video itself is in the bucket');
});

// Runs the binary to its end: { code, out }.
function runToEnd(args, env) {
  return new Promise((res) => {
    const p = spawn(BIN, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => p.kill('SIGKILL'), WAIT_MS);
    // 'close': the output is all read (at 'exit' its last lines may not be)
    p.on('close', (code) => { clearTimeout(timer); res({ code, out }); });
  });
}

// The smallest part S3 takes: the zip below is cut into three.
const PART = 5 * 1024 * 1024;

// A w x w RGB PNG of random pixels, stored without compression: about
// 3 w^2 bytes that no zip shrinks.
function noisePng(w) {
  const rows = [];
  for (let y = 0; y < w; y++) rows.push(Buffer.from([0]), randomBytes(3 * w));
  return pngFile(w, w, 2, deflateSync(Buffer.concat(rows), { level: 0 }));
}
const noiseFiles = () => Array.from({ length: 4 }, (_, i) => ({ name: `noise${i}.png`, bytes: noisePng(1100) }));

// A server of its own on the bucket under prefix, with 5 MiB parts, and an
// exported project of files: { big, zip key, export }.
async function bigExport(prefix, files, env = {}) {
  const { srv: s, token: t } = await startWithAdmin({
    args: ['--blobs', `s3://${s3.bucket}/${prefix}`],
    env: s3Env({ TESSERA_S3_PART_BYTES: String(PART), ...env }),
  });
  const call = (method, path, body) => s.req(method, path, { token: t, body });
  try {
    const pid = (await call('POST', '/api/v1/projects', { name: 'Large' })).json.id;
    const cat = (await call('POST', `/api/v1/projects/${pid}/categories`, { name: 'noise' })).json.id;
    const fd = new FormData();
    for (const f of files) fd.append('file', new Blob([f.bytes], { type: 'image/png' }), f.name);
    const up = await call('POST', `/api/v1/projects/${pid}/assets`, fd);
    assert.equal(up.status, 201, up.text);
    assert.equal(up.json.errors.length, 0, up.text);
    for (const a of up.json.assets) {
      assert.equal((await call('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cat] })).status, 200);
      assert.equal((await call('PUT', `/api/v1/assets/${a.id}/annotation`, { status: 'approved' })).status, 200);
    }
    const r = await call('POST', `/api/v1/projects/${pid}/exports`);
    assert.equal(r.status, 202, r.text);
    const ex = await waitExport(s, t, r.json.id, WAIT_MS);
    return { big: s, token: t, assets: up.json.assets, ex, key: `${prefix}/exports/${pid}/${ex.version}.zip` };
  } catch (e) {
    await s.close();
    throw e;
  }
}

// The multipart uploads the store still has open in the bucket.
async function pendingUploads() {
  const r = await s3.request('GET', `/${s3.bucket}?uploads`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.text, /ListMultipartUploadsResult/);
  return [...r.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
}

test('an export zip larger than two parts is a multipart upload: whole in the bucket, fetched back whole', { skip: missing || false }, async () => {
  const files = noiseFiles();
  const { big, token: t, assets, ex, key } = await bigExport('team/big', files);
  try {
    assert.equal(ex.state, 'ready', ex.error);
    assert.ok(ex.zip_bytes > 2 * PART, `the zip (${ex.zip_bytes} bytes) is more than two parts`);
    const download = async () => {
      const d = await fetch(`${big.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${t}` } });
      assert.equal(d.status, 200);
      return Buffer.from(await d.arrayBuffer());
    };
    const zip = await download();
    assert.equal(zip.length, ex.zip_bytes);
    const stored = await s3.request('GET', `/${s3.bucket}/${key}`);
    assert.equal(stored.status, 200, stored.text);
    assert.equal(stored.body.length, zip.length);
    assert.ok(stored.body.equals(zip), 'the object in the bucket is the zip, byte for byte');
    // S3 names a multipart object's ETag after its part count.
    assert.match(stored.headers.get('etag'), /-3"?$/, 'stored as three parts');
    // Each original (under the part size) is still one PUT.
    const one = await s3.request('HEAD', `/${s3.bucket}/team/big/${blobKey(assets[0].checksum_sha256)}`);
    assert.equal(one.status, 200);
    assert.match(one.headers.get('etag'), /^"?[0-9a-f]{32}"?$/);
    assert.deepEqual(await pendingUploads(), [], 'no upload is left open');

    await dropLocalIn(big, 'exports');
    const again = await download();
    assert.ok(again.equals(zip), 'the zip came back whole from the bucket');
    const path = join(work, 'big.zip');
    await writeFile(path, again);
    const v = await verifyExport(path);
    assert.equal(v.code, 0, v.out);
  } finally {
    await big.close();
  }
});

test('a multipart upload whose part is refused is aborted: no object, no pending upload, the export fails', { skip: missing || false }, async () => {
  const { big, ex, key } = await bigExport('team/bad', noiseFiles(),
    { TESSERA_S3_TEST_WRONG_PAYLOAD_HASH: 'part2' });
  try {
    assert.equal(ex.state, 'failed');
    assert.match(ex.error, /refused PUT part 2 of 3 of tessera\/team\/bad\/exports\/\d+\/\d+\.zip: BadDigest/);
    assert.equal((await s3.request('HEAD', `/${s3.bucket}/${key}`)).status, 404, 'no object under the key');
    assert.deepEqual(await pendingUploads(), [], 'the upload was aborted');
  } finally {
    await big.close();
  }
});

test('a part size below the 5 MiB S3 takes is refused at start', { skip: missing || false }, async () => {
  const r = await runToEnd(['blobs', 'check', '--blobs', blobsUrl()], s3Env({ TESSERA_S3_PART_BYTES: '1048576' }));
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /TESSERA_S3_PART_BYTES must be a number of bytes from 5242880 \(5 MiB, the smallest part S3 takes\) to 5368709120 \(5 GiB\), not "1048576"/);
});

test('a wrong secret: the server refuses to start and says why', { skip: missing || false }, async () => {
  const data = await mkdtemp(join(work, 'data-'));
  const r = await runToEnd(['serve', '--listen', '127.0.0.1:0', '--data', data, '--blobs', blobsUrl()],
    s3Env({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }));
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /object store s3:\/\/tessera\/team\/one\/ at http:\/\/127\.0\.0\.1:\d+ does not work/);
  assert.match(r.out, /SignatureDoesNotMatch|AccessDenied/);
  assert.doesNotMatch(r.out, /listening/);
});

test('blobs check: a probe object is stored; a wrong payload hash is refused by the store', { skip: missing || false }, async () => {
  const ok = await runToEnd(['blobs', 'check', '--blobs', blobsUrl()], s3Env());
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /the object store works/);
  const left = await s3.request('GET', `/${s3.bucket}?prefix=${encodeURIComponent(`${PREFIX}/probe/`)}`);
  assert.equal(left.status, 200, left.text);
  assert.match(left.text, /ListBucketResult/);
  assert.doesNotMatch(left.text, /<Key>/, 'the probe objects are removed');
  const bad = await runToEnd(['blobs', 'check', '--blobs', blobsUrl()],
    s3Env({ TESSERA_S3_TEST_WRONG_PAYLOAD_HASH: '1' }));
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /refused PUT tessera\/team\/one\/probe\/\S+: BadDigest/);
});

test('a malformed --blobs URL or a missing key is refused before anything starts', { skip: missing || false }, async () => {
  const url = await runToEnd(['blobs', 'check', '--blobs', 's3://'], s3Env());
  assert.equal(url.code, 1, url.out);
  assert.match(url.out, /--blobs must be s3:\/\/bucket\[\/prefix\]/);
  const key = await runToEnd(['blobs', 'check', '--blobs', blobsUrl()], s3Env({ AWS_ACCESS_KEY_ID: '' }));
  assert.equal(key.code, 1, key.out);
  assert.match(key.out, /AWS_ACCESS_KEY_ID is not set/);
});

// The bytes of the copies a data folder keeps (originals, frames,
// thumbnails).
async function cacheBytes(dataDir) {
  const { stat } = await import('node:fs/promises');
  let n = 0;
  for (const area of ['blobs/sha256', 'thumbs']) {
    for (const fan of await readdir(join(dataDir, area))) {
      for (const f of await readdir(join(dataDir, area, fan)).catch(() => [])) {
        n += (await stat(join(dataDir, area, fan, f)).catch(() => ({ size: 0 }))).size;
      }
    }
  }
  return n;
}

test('with --blob-cache-bytes the data folder keeps at most that many bytes of copies; what it let go is fetched again', { skip: missing || false }, async () => {
  const files = await makeJpegs(8, { w: 320, h: 240, start: 80, prefix: 'cache' });
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  const limit = Math.floor(total / 3);
  const own = await startWithAdmin({
    args: ['--blobs', blobsUrl(), '--blob-cache-bytes', String(limit)],
    env: s3Env({ TESSERA_BLOB_CACHE_GRACE_S: '2' }),
  });
  try {
    const req = (method, path, body) => own.srv.req(method, path, { token: own.token, body });
    const get = (path) => fetch(`${own.srv.url}${path}`, { headers: { authorization: `Bearer ${own.token}` } });
    const pid = (await req('POST', '/api/v1/projects', { name: 'Bounded' })).json.id;
    const cat = (await req('POST', `/api/v1/projects/${pid}/categories`, { name: 'thing' })).json.id;
    const fd = new FormData();
    for (const f of files) fd.append('file', new Blob([f.bytes], { type: 'image/jpeg' }), f.name);
    const up = await req('POST', `/api/v1/projects/${pid}/assets`, fd);
    assert.equal(up.status, 201, up.text);
    const assets = up.json.assets;
    assert.equal(assets.length, files.length);
    for (const a of assets) {
      await waitFor(async () => (await req('GET', `/api/v1/assets/${a.id}`)).json.thumbnail_ready);
    }
    // Every original is in the bucket; the folder lets the oldest copies go.
    for (const a of assets) assert.equal((await inBucket(blobKey(a.checksum_sha256))).status, 200);
    await waitFor(async () => (await cacheBytes(own.srv.dataDir)) <= limit);
    // Each original and thumbnail is still served whole (fetched again
    // when its copy went), while the folder stays within the limit.
    for (const [i, a] of assets.entries()) {
      const f = await get(`/api/v1/assets/${a.id}/file`);
      assert.equal(f.status, 200);
      assert.deepEqual(Buffer.from(await f.arrayBuffer()), files[i].bytes);
      const t = await get(`/api/v1/assets/${a.id}/thumbnail`);
      assert.equal(t.status, 200);
      assert.deepEqual([...Buffer.from(await t.arrayBuffer()).subarray(0, 2)], [0xff, 0xd8]);
      assert.equal((await req('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cat] })).status, 200);
      assert.equal((await req('PUT', `/api/v1/assets/${a.id}/annotation`, { status: 'approved' })).status, 200);
    }
    await waitFor(async () => (await cacheBytes(own.srv.dataDir)) <= limit);
    // An export built while copies come and go has every image and verifies.
    const r = await req('POST', `/api/v1/projects/${pid}/exports`);
    assert.equal(r.status, 202, r.text);
    const ex = await waitExport(own.srv, own.token, r.json.id, WAIT_MS);
    assert.equal(ex.state, 'ready', ex.error);
    assert.equal(ex.counts.images, files.length);
    const d = await get(`/api/v1/exports/${ex.id}/download`);
    assert.equal(d.status, 200);
    const path = join(work, 'bounded.zip');
    await writeFile(path, Buffer.from(await d.arrayBuffer()));
    const v = await verifyExport(path);
    assert.equal(v.code, 0, v.out);
  } finally {
    await own.srv.close();
  }
});

test('--blob-cache-bytes without an object store, or not a number, is refused at start', { skip: missing || false }, async () => {
  const local = await runToEnd(['serve', '--listen', '127.0.0.1:0', '--data', join(work, 'nostore'), '--blob-cache-bytes', '1000'], {});
  assert.equal(local.code, 1, local.out);
  assert.match(local.out, /--blob-cache-bytes limits the data folder's copies of an object store: it needs --blobs/);
  const bad = await runToEnd(['serve', '--blob-cache-bytes', '10GB'], {});
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /--blob-cache-bytes must be a whole number \(0: no limit\), not "10GB"/);
  const grace = await runToEnd(['serve', '--blobs', blobsUrl()], s3Env({ TESSERA_BLOB_CACHE_GRACE_S: 'soon' }));
  assert.equal(grace.code, 1, grace.out);
  assert.match(grace.out, /TESSERA_BLOB_CACHE_GRACE_S must be a number of seconds from 1/);
});

// Last: it stops the store.
test('with the store gone, an upload is refused with 503 and nothing is recorded', { skip: missing || false }, async () => {
  const pid = await newProject('Outage');
  await s3.stop();
  const [file] = await makeJpegs(1, { start: 90, prefix: 'gone' });
  const fd = new FormData();
  fd.append('file', new Blob([file.bytes], { type: 'image/jpeg' }), file.name);
  const r = await api('POST', `/api/v1/projects/${pid}/assets`, fd);
  assert.equal(r.status, 503, r.text);
  assert.equal(r.json.error.code, 'blobs_unavailable');
  assert.match(r.json.error.message, /object store at http:\/\/127\.0\.0\.1:\d+ cannot be reached/);
  const list = await api('GET', `/api/v1/projects/${pid}/assets`);
  assert.equal(list.json.assets.length, 0, 'no asset points at bytes the store does not have');
});
