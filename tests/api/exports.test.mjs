// Exports (dataset versions): the API, the build, reproducibility, verify,
// the contract schemas and the Python reader, against the real binary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile, unlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020.js';
import { startWithAdmin, ROOT } from '../lib/server.mjs';
import { tinyPng } from '../lib/tinypng.mjs';
import { waitExport, verifyExport as verify } from '../lib/exports.mjs';

const run = promisify(execFile);

let srv;
let token;
let work;
let validateAnnotations;
let validateManifest;

before(async () => {
  ({ srv, token } = await startWithAdmin());
  work = await mkdtemp(join(tmpdir(), 'tessera-exports-'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  validateAnnotations = ajv.compile(JSON.parse(await readFile(join(ROOT, 'contract/schema/annotations.schema.json'), 'utf8')));
  validateManifest = ajv.compile(JSON.parse(await readFile(join(ROOT, 'contract/schema/manifest.schema.json'), 'utf8')));
});

after(async () => {
  await srv?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

// ---- tiny PNGs made in-process -------------------------------------------

// A w x h RGB PNG; each call without a seed gives new bytes.
let seedCounter = 1;
const png = (w = 5, h = 4, seed = seedCounter++) => tinyPng(seed, w, h);

// ---- API helpers ----------------------------------------------------------

async function api(method, path, body, expect) {
  const r = await srv.req(method, path, { token, body });
  if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.text}`);
  return r;
}

async function newProject(name, categories) {
  const p = (await api('POST', '/api/v1/projects', { name }, 201)).json;
  const cats = {};
  for (const c of categories) cats[c] = (await api('POST', `/api/v1/projects/${p.id}/categories`, { name: c }, 201)).json.id;
  return { id: p.id, cats };
}

async function upload(pid, files) {
  const fd = new FormData();
  for (const f of files) fd.append('file', new Blob([f.bytes], { type: 'image/png' }), f.name);
  const r = await srv.req('POST', `/api/v1/projects/${pid}/assets`, { token, body: fd });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.errors.length, 0, r.text);
  return r.json.assets.map((a) => a.id);
}

async function label(assetId, categoryId, status) {
  await api('PUT', `/api/v1/assets/${assetId}/annotation`, { category_ids: [categoryId] }, 200);
  if (status && status !== 'labeled') await api('PUT', `/api/v1/assets/${assetId}/annotation`, { status }, 200);
}

// A project with n approved images labeled round-robin over its categories.
async function approvedProject(name, categories, n) {
  const p = await newProject(name, categories);
  const ids = await upload(p.id, Array.from({ length: n }, (_, i) => ({ name: `img_${i}.png`, bytes: png() })));
  const catIds = Object.values(p.cats);
  for (let i = 0; i < ids.length; i++) await label(ids[i], catIds[i % catIds.length], 'approved');
  return { ...p, assets: ids };
}

const waitDone = (exportId) => waitExport(srv, token, exportId);

async function exportNow(pid, statuses) {
  const r = await api('POST', `/api/v1/projects/${pid}/exports`, statuses ? { statuses } : undefined, 202);
  assert.ok(['queued', 'building', 'ready'].includes(r.json.state));
  const ex = await waitDone(r.json.id);
  assert.equal(ex.state, 'ready', JSON.stringify(ex));
  return ex;
}

const sha256 = (b) => createHash('sha256').update(b).digest('hex');

async function download(ex) {
  const res = await fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(Number(res.headers.get('content-length')), bytes.length);
  assert.equal(bytes.length, ex.zip_bytes);
  const path = join(work, `p${ex.project_id}-v${ex.version}-${Date.now()}.zip`);
  await writeFile(path, bytes);
  return { bytes, path, headers: res.headers };
}

const folderOf = (ex) => join(srv.dataDir, 'exports', String(ex.project_id), String(ex.version));

// Every export the tests make: schema-valid files, `tessera verify` passes on
// its folder and on its zip.
async function checkExport(ex) {
  const dir = folderOf(ex);
  const ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  const man = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  assert.ok(validateAnnotations(ann), JSON.stringify(validateAnnotations.errors));
  assert.ok(validateManifest(man), JSON.stringify(validateManifest.errors));
  assert.deepEqual(man, ex.manifest);
  assert.equal(man.hash, ex.hash);
  assert.equal(`sha256:${sha256(await readFile(join(dir, 'annotations.json')))}`, ex.hash);
  const v = await verify(dir);
  assert.equal(v.code, 0, v.out);
  const z = await download(ex);
  const vz = await verify(z.path);
  assert.equal(vz.code, 0, vz.out);
  return { ann, man, zip: z };
}

// ---- stories ---------------------------------------------------------------

test('given approved images, exporting builds a version whose zip holds images/, annotations.json and manifest.json, and verifies', async () => {
  const p = await approvedProject('Pets', ['cat', 'dog'], 4);
  const ex = await exportNow(p.id);
  assert.equal(ex.version, 1);
  assert.match(ex.hash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(ex.identical_to_version, null);
  assert.deepEqual(ex.selection.statuses, ['approved']);
  assert.equal(ex.counts.images, 4);
  const { ann, man, zip } = await checkExport(ex);
  assert.deepEqual(Object.keys(ann), ['info', 'licenses', 'images', 'annotations', 'categories']);
  assert.deepEqual(ann.images.map((i) => i.id), [...p.assets].sort((a, b) => a - b));
  assert.deepEqual(man.categories.map((c) => [c.name, c.class_index]), [['cat', 0], ['dog', 1]]);
  assert.equal(man.dataset_id, String(p.id));
  assert.equal(man.version, 1);
  assert.match(zip.headers.get('content-disposition'), /attachment; filename="pets-v1\.zip"/);
  assert.ok(zip.headers.get('etag'));
  const { stdout } = await run('unzip', ['-Z1', zip.path]);
  const entries = stdout.trim().split('\n');
  assert.deepEqual(entries.slice(0, 3), ['manifest.json', 'annotations.json', 'images/']);
  assert.deepEqual(entries.slice(3), ann.images.map((i) => `images/${i.file_name}`));
  const { stdout: info } = await run('zipinfo', ['-v', zip.path]);
  assert.doesNotMatch(info, /compression method:\s+deflated/);
  // the listing shows the version with its hash
  const list = await api('GET', `/api/v1/projects/${p.id}/exports`, undefined, 200);
  assert.equal(list.json.exports.length, 1);
  assert.equal(list.json.exports[0].hash, ex.hash);
  assert.equal(list.json.next_cursor, null);
});

test('given the same selection twice, both versions share the hash and the second says identical to version 1', async () => {
  const p = await approvedProject('Twice', ['a', 'b'], 3);
  const v1 = await exportNow(p.id);
  const v2 = await exportNow(p.id);
  assert.equal(v2.version, 2);
  assert.equal(v2.hash, v1.hash);
  assert.equal(v2.categories_hash, v1.categories_hash);
  assert.equal(v2.identical_to_version, 1);
  const a1 = await readFile(join(folderOf(v1), 'annotations.json'));
  const a2 = await readFile(join(folderOf(v2), 'annotations.json'));
  assert.ok(a1.equals(a2), 'annotations.json bytes differ');
  await checkExport(v2);
});

test('given reordered categories, neither hash changes; given a renamed category, both change', async () => {
  const p = await approvedProject('Order', ['x', 'y', 'z'], 3);
  const v1 = await exportNow(p.id);
  await api('PUT', `/api/v1/projects/${p.id}/categories/order`, { order: [p.cats.z, p.cats.x, p.cats.y] }, 200);
  const v2 = await exportNow(p.id);
  assert.equal(v2.hash, v1.hash);
  assert.equal(v2.categories_hash, v1.categories_hash);
  await api('PATCH', `/api/v1/projects/${p.id}/categories/${p.cats.y}`, { name: 'why' }, 200);
  const v3 = await exportNow(p.id);
  assert.notEqual(v3.hash, v1.hash);
  assert.notEqual(v3.categories_hash, v1.categories_hash);
  assert.equal(v3.identical_to_version, null);
  const { man } = await checkExport(v3);
  assert.deepEqual(man.categories.map((c) => c.name), ['x', 'why', 'z']);
});

test('given a label change after an export, the new hash differs and the old version stays byte-identical', async () => {
  const p = await approvedProject('Drift', ['a', 'b'], 3);
  const v1 = await exportNow(p.id);
  const before1 = await download(v1);
  const annBefore = await readFile(join(folderOf(v1), 'annotations.json'));
  await label(p.assets[0], p.cats.b, 'approved');
  const v2 = await exportNow(p.id);
  assert.notEqual(v2.hash, v1.hash);
  const after1 = await download(v1);
  assert.equal(sha256(after1.bytes), sha256(before1.bytes));
  assert.ok(annBefore.equals(await readFile(join(folderOf(v1), 'annotations.json'))));
  const again = (await api('GET', `/api/v1/exports/${v1.id}`, undefined, 200)).json;
  assert.equal(again.hash, v1.hash);
  await checkExport(v2);
});

test('given a label on a deleted category, that image is left out and counted as excluded', async () => {
  const p = await approvedProject('Deleted', ['keep', 'gone'], 4); // 2 per category
  await api('DELETE', `/api/v1/projects/${p.id}/categories/${p.cats.gone}`, undefined, 200);
  const pre = await api('GET', `/api/v1/projects/${p.id}/exports/preview?statuses=approved`, undefined, 200);
  assert.equal(pre.json.counts.images, 2);
  assert.equal(pre.json.counts.excluded.deleted_category, 2);
  const ex = await exportNow(p.id);
  const { ann, man } = await checkExport(ex);
  assert.equal(man.counts.images, 2);
  assert.equal(man.counts.excluded.deleted_category, 2);
  assert.deepEqual(ann.categories.map((c) => c.name), ['keep']);
  assert.ok(ann.annotations.every((a) => a.category_id === p.cats.keep));
});

test('given statuses, the export takes exactly those; the preview counts them first', async () => {
  const p = await newProject('Mixed', ['a']);
  const ids = await upload(p.id, [1, 2, 3, 4].map((i) => ({ name: `m${i}.png`, bytes: png() })));
  await label(ids[0], p.cats.a, 'approved');
  await label(ids[1], p.cats.a, 'labeled');
  await label(ids[2], p.cats.a, 'needs_review');
  // ids[3] stays unlabeled
  const pre = await api('GET', `/api/v1/projects/${p.id}/exports/preview?statuses=approved,labeled`, undefined, 200);
  assert.equal(pre.json.counts.images, 2);
  assert.deepEqual(pre.json.counts.by_status, { unlabeled: 1, labeled: 1, skipped: 0, needs_review: 1, approved: 1 });
  const ex = await exportNow(p.id, ['approved', 'labeled']);
  const { ann, man } = await checkExport(ex);
  assert.deepEqual(ann.images.map((i) => i.id), [ids[0], ids[1]]);
  assert.deepEqual(ann.annotations.map((a) => a.status), ['approved', 'labeled']);
  assert.deepEqual(man.selection.statuses, ['approved', 'labeled']);
});

test('given an empty selection, creating an export is a 400 "nothing to export" with the counts, and no version is used', async () => {
  const p = await newProject('Empty', ['a']);
  await upload(p.id, [{ name: 'e.png', bytes: png() }]);
  const r = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['approved'] }, 400);
  assert.equal(r.json.error.code, 'nothing_to_export');
  assert.equal(r.json.error.details.counts.by_status.unlabeled, 1);
  assert.equal(r.json.error.details.counts.images, 0);
  const list = await api('GET', `/api/v1/projects/${p.id}/exports`, undefined, 200);
  assert.deepEqual(list.json.exports, []);
});

test('given bad input, the API answers 4xx with an error body and writes nothing', async () => {
  const p = await approvedProject('Bad', ['a'], 1);
  const base = `/api/v1/projects/${p.id}/exports`;
  const cases = [
    [{ statuses: ['approved', 'bogus'] }, 400, 'invalid_statuses'],
    [{ statuses: [] }, 400, 'invalid_statuses'],
    [{ statuses: 'approved' }, 400, 'invalid_statuses'],
    [{ statuses: [1] }, 400, 'invalid_statuses'],
    [{ statuses: [null] }, 400, 'invalid_statuses'],
    [{ statuses: ['approved'], extra: 1 }, 400, 'unknown_field'],
    ['{"statuses": [', 400, 'invalid_json'],
    ['[]', 400, 'invalid_json'],
    [JSON.stringify({ statuses: ['approved'], pad: 'x'.repeat(4 << 20) }), 413, 'body_too_large'],
  ];
  for (const [body, status, code] of cases) {
    const r = await srv.req('POST', base, { token, body, headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {} });
    assert.equal(r.status, status, `${String(body).slice(0, 60)}: ${r.text}`);
    assert.equal(r.json.error.code, code);
  }
  assert.equal((await api('GET', base, undefined, 200)).json.exports.length, 0);
  for (const q of ['statuses=', 'statuses=approved,nope', `statuses=${'a'.repeat(500)}`, 'statuses=%00']) {
    const r = await api('GET', `${base}/preview?${q}`, undefined, 400);
    assert.equal(r.json.error.code, 'invalid_statuses');
  }
  assert.equal((await api('POST', '/api/v1/projects/999999/exports', {}, 404)).json.error.code, 'project_not_found');
  assert.equal((await api('GET', '/api/v1/projects/999999/exports', undefined, 404)).json.error.code, 'project_not_found');
  assert.equal((await api('GET', '/api/v1/exports/999999', undefined, 404)).json.error.code, 'export_not_found');
  assert.equal((await api('GET', '/api/v1/exports/999999/download', undefined, 404)).json.error.code, 'export_not_found');
  await api('GET', '/api/v1/exports/0', undefined, 404);
  await api('GET', '/api/v1/exports/abc', undefined, 404);
  await api('GET', `${base}?limit=0`, undefined, 400);
  await api('GET', `${base}?cursor=garbage`, undefined, 400);
  const anon = await srv.req('GET', base);
  assert.equal(anon.status, 401);
});

test('given a hostile project name, the download file name is a safe slug', async () => {
  const p = await approvedProject('../../etc/"passwd"; X-Evil: 1 ☃ <b>', ['a'], 1);
  const ex = await exportNow(p.id);
  const z = await download(ex);
  assert.equal(z.headers.get('content-disposition'), 'attachment; filename="etc-passwd-x-evil-1-b-v1.zip"');
  assert.equal(z.headers.get('x-evil'), null);
  const { man } = await checkExport(ex);
  assert.equal(man.project_name, '../../etc/"passwd"; X-Evil: 1 ☃ <b>');
});

test('given a ready export, the download honours Range, If-None-Match and If-Range', async () => {
  const p = await approvedProject('Ranges', ['a'], 2);
  const ex = await exportNow(p.id);
  const full = await download(ex);
  const etag = full.headers.get('etag');
  const get = (headers) => fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  let r = await get({ range: 'bytes=10-19' });
  assert.equal(r.status, 206);
  assert.equal(r.headers.get('content-range'), `bytes 10-19/${full.bytes.length}`);
  assert.ok(Buffer.from(await r.arrayBuffer()).equals(full.bytes.subarray(10, 20)));
  r = await get({ range: 'bytes=-5' });
  assert.equal(r.status, 206);
  assert.ok(Buffer.from(await r.arrayBuffer()).equals(full.bytes.subarray(full.bytes.length - 5)));
  r = await get({ range: `bytes=${full.bytes.length}-` });
  assert.equal(r.status, 416);
  assert.equal(r.headers.get('content-range'), `bytes */${full.bytes.length}`);
  await r.arrayBuffer();
  r = await get({ range: 'bytes=0-1,5-6' }); // several ranges: the whole file
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  r = await get({ range: 'bytes=0-3', 'if-range': '"stale"' });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
  r = await get({ 'if-none-match': etag });
  assert.equal(r.status, 304);
});

test('given two exports started at once, they get distinct versions and both verify', async () => {
  const p = await approvedProject('Race', ['a', 'b'], 3);
  const [r1, r2, r3] = await Promise.all([1, 2, 3].map(() => api('POST', `/api/v1/projects/${p.id}/exports`, {}, 202)));
  const versions = [r1, r2, r3].map((r) => r.json.version).sort();
  assert.deepEqual(versions, [1, 2, 3]);
  const done = await Promise.all([r1, r2, r3].map((r) => waitDone(r.json.id)));
  assert.ok(done.every((d) => d.state === 'ready' && d.hash === done[0].hash));
  const twins = done.filter((d) => d.version > 1).map((d) => d.identical_to_version);
  assert.deepEqual(twins, [1, 1]);
  for (const d of done) await checkExport(d);
});

test('given tampering, tessera verify names the problem and exits non-zero', async () => {
  const p = await approvedProject('Tamper', ['a', 'b'], 3);
  const ex = await exportNow(p.id);
  const { ann } = await checkExport(ex);
  const first = ann.images[0].file_name;
  // Copies, not the hardlinked folder: editing an image there would edit the blob.
  const fresh = async (name) => {
    const dir = join(work, `tamper-${name}`);
    await cp(folderOf(ex), dir, { recursive: true });
    return dir;
  };
  const cases = {
    'changed image': async (d) => writeFile(join(d, 'images', first), png(5, 4, 99999)),
    'missing image': async (d) => unlink(join(d, 'images', first)),
    'extra file': async (d) => writeFile(join(d, 'images', 'extra.png'), png()),
    'edited annotations.json': async (d) => {
      const t = await readFile(join(d, 'annotations.json'), 'utf8');
      await writeFile(join(d, 'annotations.json'), t.replace('"approved"', '"labeled"'));
    },
    'edited manifest category': async (d) => {
      const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
      m.categories[0].name = 'renamed';
      await writeFile(join(d, 'manifest.json'), `${JSON.stringify(m, null, 2)}\n`);
    },
  };
  for (const [name, tamper] of Object.entries(cases)) {
    const dir = await fresh(name.replace(/\W+/g, '-'));
    await tamper(dir);
    const v = await verify(dir);
    assert.equal(v.code, 1, `${name}: ${v.out}`);
    assert.match(v.out, /FAILED/, name);
    // the same tampering inside a zip
    const zip = `${dir}.zip`;
    await run('zip', ['-q', '-r', '-0', zip, '.'], { cwd: dir });
    const vz = await verify(zip);
    assert.equal(vz.code, 1, `${name} (zip): ${vz.out}`);
  }
  assert.equal((await verify(join(work, 'does-not-exist'))).code, 2);
  // the original is untouched by all this
  assert.equal((await verify(folderOf(ex))).code, 0);
});

test('given an export, the Python reader yields (image, class_index) with class names in class_index order', async () => {
  const p = await approvedProject('Python', ['zebra', 'ant', 'moose'], 6);
  // reordering must not change class_index (ids decide)
  await api('PUT', `/api/v1/projects/${p.id}/categories/order`, { order: [p.cats.moose, p.cats.ant, p.cats.zebra] }, 200);
  const ex = await exportNow(p.id);
  const { zip } = await checkExport(ex);
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'contract', 'python'))})`,
    'from tessera_dataset import TesseraDataset',
    'out = []',
    'for path in sys.argv[1:]:',
    '    with TesseraDataset(path) as ds:',
    '        pairs = [(type(img).__name__, ci) for img, ci in ds]',
    '        out.append({"names": ds.class_names, "hash": ds.hash, "n": len(pairs), "classes": sorted(set(ci for _, ci in pairs)), "kinds": sorted(set(k for k, _ in pairs))})',
    'print(json.dumps(out))',
  ].join('\n');
  const { stdout } = await run('python3', ['-c', script, folderOf(ex), zip.path]);
  const [folder, zipped] = JSON.parse(stdout);
  for (const r of [folder, zipped]) {
    assert.deepEqual(r.names, ['zebra', 'ant', 'moose']);
    assert.equal(r.hash, ex.hash);
    assert.equal(r.n, 6);
    assert.deepEqual(r.classes, [0, 1, 2]);
  }
  assert.deepEqual(folder.kinds, ['PosixPath']);
  assert.deepEqual(zipped.kinds, ['bytes']);
});

test('given a server killed right after an export is created, the next start builds it (never a half-built ready version)', async () => {
  const p = await approvedProject('Crash', ['a', 'b'], 5);
  const r = await api('POST', `/api/v1/projects/${p.id}/exports`, {}, 202);
  await srv.kill();
  await srv.start();
  const ex = await waitDone(r.json.id);
  assert.equal(ex.state, 'ready');
  await checkExport(ex);
  const names = await readdir(join(srv.dataDir, 'exports', String(p.id)));
  assert.deepEqual(names.filter((n) => n.startsWith('.build')), []);
  assert.ok(existsSync(join(srv.dataDir, 'exports', String(p.id), `${ex.version}.zip`)));
});
