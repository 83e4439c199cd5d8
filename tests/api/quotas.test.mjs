// Disk use: a version identical to an earlier one shares its files instead
// of copying them, and the per-project quotas (stored bytes: 507; export
// versions: 409) refuse what would pass them, leaving nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { mkdtemp, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, BIN, tmpSettled } from '../lib/server.mjs';
import { pngFile } from '../lib/tinypng.mjs';
import { waitExport, verifyExport as verify } from '../lib/exports.mjs';

const run = promisify(execFile);

let plain; // a server without quotas
let quota; // a server with both quotas
let work;

const BYTE_QUOTA = 100000;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-quotas-'));
  plain = await startWithAdmin();
  // One quota from a flag, the other from the environment.
  quota = await startWithAdmin({
    args: ['--quota-project-bytes', String(BYTE_QUOTA)],
    env: { TESSERA_QUOTA_EXPORT_VERSIONS: '2' },
  });
});

after(async () => {
  await plain?.srv.close();
  await quota?.srv.close();
  if (work) await rm(work, { recursive: true, force: true });
});

// A w x w RGB PNG of random pixels: it does not compress, so its size is
// about 3 w^2 bytes.
function noisePng(w) {
  const rows = [];
  for (let y = 0; y < w; y++) rows.push(Buffer.from([0]), randomBytes(3 * w));
  return pngFile(w, w, 2, deflateSync(Buffer.concat(rows), { level: 0 }));
}

function client({ srv, token }) {
  const api = async (method, path, body, expect) => {
    const r = await srv.req(method, path, { token, body });
    if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.text}`);
    return r;
  };
  const upload = (pid, files, path = 'assets', fields = {}) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    for (const f of files) fd.append('file', new Blob([f.bytes], { type: f.type || 'image/png' }), f.name);
    return srv.req('POST', `/api/v1/projects/${pid}/${path}`, { token, body: fd });
  };
  const waitDone = (id) => waitExport(srv, token, id);
  const exportNow = async (pid) => {
    const r = await api('POST', `/api/v1/projects/${pid}/exports`, {}, 202);
    const ex = await waitDone(r.json.id);
    assert.equal(ex.state, 'ready', JSON.stringify(ex));
    return ex;
  };
  const project = async (name, n, w = 128) => {
    const p = (await api('POST', '/api/v1/projects', { name }, 201)).json;
    const cat = (await api('POST', `/api/v1/projects/${p.id}/categories`, { name: 'thing' }, 201)).json;
    const files = Array.from({ length: n }, (_, i) => ({ name: `n${i}.png`, bytes: noisePng(w) }));
    const assets = [];
    for (const f of files) {
      const r = await upload(p.id, [f]);
      assert.equal(r.status, 201, r.text);
      assets.push(r.json.assets[0]);
    }
    for (const a of assets) {
      await api('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cat.id] }, 200);
      await api('PUT', `/api/v1/assets/${a.id}/annotation`, { status: 'approved' }, 200);
    }
    return { id: p.id, cat: cat.id, assets, files };
  };
  const download = async (ex, headers = {}) => {
    const res = await fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  return { srv, api, upload, exportNow, project, download };
}

// Blocks in use under dir, each inode counted once (what `du` reports).
async function diskUsage(dir) {
  const { stdout } = await run('du', ['-s', '-B1', dir]);
  return Number(stdout.split('\t')[0]);
}

async function zipEntries(path) {
  const { stdout } = await run('unzip', ['-Z1', path]);
  return stdout.trim().split('\n');
}

test('given an export identical to version 1, version 2 shares its files: no image is copied, and it still verifies as version 2', async () => {
  const c = client(plain);
  const p = await c.project('Shared', 10);
  const projDir = join(c.srv.dataDir, 'exports', String(p.id));
  const v1 = await c.exportNow(p.id);
  assert.equal(v1.shares_files_with_version, null);
  const afterV1 = await diskUsage(projDir);
  const v2 = await c.exportNow(p.id);
  const afterV2 = await diskUsage(projDir);
  assert.equal(v2.version, 2);
  assert.equal(v2.hash, v1.hash);
  assert.equal(v2.identical_to_version, 1);
  assert.equal(v2.shares_files_with_version, 1);
  assert.equal(v2.manifest.version, 2);

  // Every file with data is the same inode as version 1's, except the new
  // manifest and the zip's own head (manifest entry) and tail (directory).
  const d1 = join(projDir, '1');
  const d2 = join(projDir, '2');
  for (const f of await readdir(join(d1, 'images'))) {
    assert.equal((await stat(join(d2, 'images', f))).ino, (await stat(join(d1, 'images', f))).ino, f);
  }
  assert.equal((await stat(join(d2, 'annotations.json'))).ino, (await stat(join(d1, 'annotations.json'))).ino);
  assert.notEqual((await stat(join(d2, 'manifest.json'))).ino, (await stat(join(d1, 'manifest.json'))).ino);
  assert.equal(existsSync(join(projDir, '2.zip')), false, 'no second full zip');
  const parts = join(projDir, '2.zip.parts');
  assert.deepEqual((await readdir(parts)).sort(), ['base', 'head', 'tail']);
  const zip1 = await stat(join(projDir, '1.zip'));
  assert.equal((await stat(join(parts, 'base'))).ino, zip1.ino);
  assert.equal(zip1.nlink, 2);
  const own = (await stat(join(parts, 'head'))).size + (await stat(join(parts, 'tail'))).size +
    (await stat(join(d2, 'manifest.json'))).size;
  const imageBytes = p.files.reduce((s, f) => s + f.bytes.length, 0);
  assert.ok(own < imageBytes / 20, `version 2 wrote ${own} bytes of its own for ${imageBytes} bytes of images`);
  // On disk: version 1 took about two copies' worth (folder + zip); version
  // 2 adds a few blocks, not a copy.
  const added = afterV2 - afterV1;
  assert.ok(added < afterV1 / 20, `version 2 added ${added} bytes on disk; version 1 took ${afterV1}`);
  console.log(`# version 1: ${afterV1} bytes on disk; identical version 2: +${added} bytes (zip ${v2.zip_bytes} bytes)`);

  // The folder and the downloaded zip verify, as version 2.
  const vf = await verify(d2);
  assert.equal(vf.code, 0, vf.out);
  assert.match(vf.out, /version 2\b/);
  const z1 = await c.download(v1);
  const z2 = await c.download(v2);
  assert.equal(z2.status, 200);
  assert.equal(z2.bytes.length, v2.zip_bytes);
  assert.equal(Number(z2.headers.get('content-length')), v2.zip_bytes);
  assert.match(z2.headers.get('content-disposition'), /shared-v2\.zip/);
  const path2 = join(work, 'shared-v2.zip');
  await writeFile(path2, z2.bytes);
  const path1 = join(work, 'shared-v1.zip');
  await writeFile(path1, z1.bytes);
  const vz = await verify(path2);
  assert.equal(vz.code, 0, vz.out);
  assert.match(vz.out, /version 2\b/);
  await run('unzip', ['-tq', path2]);
  assert.deepEqual(await zipEntries(path2), await zipEntries(path1));
  const { stdout: man } = await run('unzip', ['-p', path2, 'manifest.json']);
  assert.deepEqual(JSON.parse(man), v2.manifest);
  const { stdout: ann2 } = await run('unzip', ['-p', path2, 'annotations.json'], { encoding: 'buffer' });
  assert.ok(ann2.equals(await readFile(join(d1, 'annotations.json'))));

  // Ranges across the parts' boundaries give the same bytes as the whole.
  const head = (await stat(join(parts, 'head'))).size;
  const tailStart = v2.zip_bytes - (await stat(join(parts, 'tail'))).size;
  for (const [from, to] of [[0, head + 10], [head - 3, head + 3], [tailStart - 5, v2.zip_bytes - 1], [head + 100, tailStart + 7]]) {
    const r = await c.download(v2, { range: `bytes=${from}-${to}` });
    assert.equal(r.status, 206);
    assert.ok(r.bytes.equals(z2.bytes.subarray(from, to + 1)), `range ${from}-${to}`);
  }

  // Version 1's zip may go (deleting a version): version 2 keeps its bytes.
  await unlink(join(projDir, '1.zip'));
  const again = await c.download(v2);
  assert.ok(again.bytes.equals(z2.bytes));

  // A different selection is not shared; the same one again shares with
  // version 1, the earliest with its own files.
  await c.api('PUT', `/api/v1/assets/${p.assets[0].id}/annotation`, { status: 'needs_review' }, 200);
  const v3 = await c.exportNow(p.id);
  assert.notEqual(v3.hash, v1.hash);
  assert.equal(v3.shares_files_with_version, null);
  assert.ok(existsSync(join(projDir, '3.zip')));
});

test('given a byte quota, an upload that would pass it gets 507 and nothing of it is stored; another project is not affected', async () => {
  const c = client(quota);
  const p = (await c.api('POST', '/api/v1/projects', { name: 'Full' }, 201)).json;
  const a = { name: 'a.png', bytes: noisePng(128) }; // ~49 KB each
  const b = { name: 'b.png', bytes: noisePng(128) };
  const cc = { name: 'c.png', bytes: noisePng(128) };
  assert.equal((await c.upload(p.id, [a])).status, 201);
  // b fits (a + b < 100000), c does not: b is stored, c refused.
  const r = await c.upload(p.id, [b, cc]);
  assert.equal(r.status, 507, r.text);
  assert.equal(r.json.error.code, 'project_quota_exceeded');
  assert.match(r.json.error.message, /quota of 100000 bytes/);
  assert.match(r.json.error.message, /--quota-project-bytes/);
  const list = await c.api('GET', `/api/v1/projects/${p.id}/assets`, undefined, 200);
  assert.deepEqual(list.json.assets.map((x) => x.file_name).sort(), ['a.png', 'b.png']);
  const one = await c.upload(p.id, [{ name: 'd.png', bytes: noisePng(128) }]);
  assert.equal(one.status, 507);
  // Nothing half-written: no temporary file, no blob of the refused files.
  assert.deepEqual(await tmpSettled(c.srv.dataDir), []);
  const { createHash } = await import('node:crypto');
  const hex = createHash('sha256').update(cc.bytes).digest('hex');
  assert.equal(existsSync(join(c.srv.dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex)), false);
  // The quota is per project.
  const other = (await c.api('POST', '/api/v1/projects', { name: 'Other' }, 201)).json;
  assert.equal((await c.upload(other.id, [cc])).status, 201);
});

test('given a byte quota, a video that would pass it gets 507 and is not stored', async () => {
  const c = client(quota);
  const p = (await c.api('POST', '/api/v1/projects', { name: 'Film' }, 201)).json;
  assert.equal((await c.upload(p.id, [{ name: 'a.png', bytes: noisePng(160) }])).status, 201); // ~77 KB
  const mp4 = join(work, 'noise.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=s=128x96:d=1,geq=random(1)*255:128:128',
    '-c:v', 'libx264', '-crf', '0', '-pix_fmt', 'yuv420p', mp4]);
  const bytes = await readFile(mp4);
  assert.ok(bytes.length > BYTE_QUOTA / 3, `the video is ${bytes.length} bytes`);
  const r = await c.upload(p.id, [{ name: 'noise.mp4', bytes, type: 'video/mp4' }], 'videos', { fps: '1' });
  assert.equal(r.status, 507, r.text);
  assert.equal(r.json.error.code, 'project_quota_exceeded');
  const vids = await c.api('GET', `/api/v1/projects/${p.id}/videos`, undefined, 200);
  assert.equal(vids.json.videos.length, 0);
  assert.deepEqual(await tmpSettled(c.srv.dataDir), []);
});

test('given a quota of 2 export versions, a third version gets 409 with a clear message and is not created', async () => {
  const c = client(quota);
  const p = await c.project('Versions', 1, 8);
  await c.exportNow(p.id);
  await c.exportNow(p.id);
  const r = await c.api('POST', `/api/v1/projects/${p.id}/exports`, {}, 409);
  assert.equal(r.json.error.code, 'export_quota_exceeded');
  assert.match(r.json.error.message, /already has 2 export versions/);
  assert.match(r.json.error.message, /--quota-export-versions/);
  const list = await c.api('GET', `/api/v1/projects/${p.id}/exports`, undefined, 200);
  assert.deepEqual(list.json.exports.map((e) => e.version), [2, 1]);
  // The next project has its own count.
  const q = await c.project('Versions too', 1, 8);
  await c.exportNow(q.id);
});

test('given a malformed quota, the server refuses to start and says why', async () => {
  for (const args of [['--quota-export-versions', 'ten'], ['--quota-project-bytes', '-5'], ['--quota-project-bytes']]) {
    const res = await run(BIN, ['serve', '--data', work, '--listen', '127.0.0.1:1', ...args], { timeout: 5000 }).then(() => null, (e) => e);
    assert.ok(res, `started with ${args.join(' ')}`);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /--quota-(export-versions|project-bytes) must be a whole number \(0: no limit\)/);
  }
});
