// Exports of the new task types (schema_version 1.1.0): classification_multi
// writes one annotation per (image, category) with no bbox; detection one per
// box with bbox, area and iscrowd; images answered "none of these" or "no
// objects" stay in images. Both pass the JSON Schemas and `tessera verify`,
// and the Python reader gives back exactly the boxes the API holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN, ROOT, SANITIZED } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { exportTestSetup } from '../lib/exports.mjs';

const run = promisify(execFile);
const WAIT_MS = SANITIZED ? 60000 : 20000;
let srv, token, work, validateAnnotations, validateManifest;

const { api } = exportTestSetup('tessera-export-types-', (s) => ({ srv, token, work, validateAnnotations, validateManifest } = s));

async function project(name, taskType, cats) {
  const p = (await api('POST', '/api/v1/projects', { name, task_type: taskType }, 201)).json;
  const ids = [];
  for (const c of cats) ids.push((await api('POST', `/api/v1/projects/${p.id}/categories`, { name: c }, 201)).json.id);
  return { id: p.id, cats: ids };
}

async function exportAll(pid) {
  const r = await api('POST', `/api/v1/projects/${pid}/exports`, { statuses: ['labeled', 'approved'] }, 202);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const e = (await api('GET', `/api/v1/exports/${r.json.id}`, undefined, 200)).json;
    if (e.state === 'ready') return e;
    assert.notEqual(e.state, 'failed', JSON.stringify(e));
    if (Date.now() > deadline) throw new Error('export not ready');
    await new Promise((res) => setTimeout(res, 30));
  }
}

async function check(ex) {
  const dir = join(srv.dataDir, 'exports', String(ex.project_id), String(ex.version));
  const ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  const man = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  assert.ok(validateAnnotations(ann), JSON.stringify(validateAnnotations.errors));
  assert.ok(validateManifest(man), JSON.stringify(validateManifest.errors));
  const v = await run(BIN, ['verify', dir]).then(() => 0, (e) => `${e.stdout}${e.stderr}`);
  assert.equal(v, 0);
  const res = await fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const zip = join(work, `e${ex.id}.zip`);
  await writeFile(zip, Buffer.from(await res.arrayBuffer()));
  const vz = await run(BIN, ['verify', zip]).then(() => 0, (e) => `${e.stdout}${e.stderr}`);
  assert.equal(vz, 0);
  return { dir, zip, ann, man };
}

// The Python reader's samples as JSON: [file_name, ...rest] per image.
async function readWithPython(path) {
  const code = 'import json, sys; sys.path.insert(0, sys.argv[1]); from tessera_dataset import TesseraDataset\n' +
    'with TesseraDataset(sys.argv[2]) as ds:\n' +
    '    print(json.dumps({"task_type": ds.task_type, "class_names": ds.class_names, "samples": ds.samples, "n": len([x for x in ds])}))';
  const { stdout } = await run('python3', ['-c', code, join(ROOT, 'contract/python'), path]);
  return JSON.parse(stdout);
}

test('a classification_multi export: one annotation per (image, category), "none of these" kept as an image', async () => {
  const p = await project('Multi export', 'classification_multi', ['sky', 'sea', 'sand']);
  const imgs = await uploadPngs(srv, token, p.id, 4, { start: 3100 });
  const put = (id, ids) => api('PUT', `/api/v1/assets/${id}/annotation`, { payload: { type: 'classification', category_ids: ids } }, 200);
  await put(imgs[0].id, [p.cats[2], p.cats[0]]);
  await put(imgs[1].id, [p.cats[1]]);
  await put(imgs[2].id, []);
  const ex = await exportAll(p.id);
  const { ann, man, zip } = await check(ex);
  assert.equal(ann.info.schema_version, '1.1.0');
  assert.equal(man.schema_version, '1.1.0');
  assert.equal(man.task_type, 'classification_multi');
  assert.deepEqual(ann.images.map((i) => i.id), [imgs[0].id, imgs[1].id, imgs[2].id]);
  assert.deepEqual(ann.annotations.map((a) => [a.image_id, a.category_id]), [
    [imgs[0].id, p.cats[0]], [imgs[0].id, p.cats[2]], [imgs[1].id, p.cats[1]],
  ]);
  for (const a of ann.annotations) {
    assert.equal(a.bbox, undefined);
    assert.equal(a.segmentation, undefined);
  }
  assert.equal(man.counts.images, 3);
  assert.equal(man.counts.annotations, 3);
  assert.deepEqual(man.categories.map((c) => c.class_index), [0, 1, 2]);
  const py = await readWithPython(zip);
  assert.equal(py.task_type, 'classification_multi');
  assert.deepEqual(py.samples.map((s) => s[1]), [[0, 2], [1], []]);
  assert.equal(py.n, 3);
});

test('a detection export: one annotation per box; the Python reader gives back every box the API holds', async () => {
  const p = await project('Boxes export', 'detection', ['car', 'person']);
  const imgs = await uploadPngs(srv, token, p.id, 4, { start: 3200, w: 40, h: 30 });
  const put = (id, objects) => api('PUT', `/api/v1/assets/${id}/annotation`, { payload: { type: 'boxes', objects } }, 200);
  await put(imgs[0].id, [
    { category_id: p.cats[1], bbox: [0.5, 1.25, 10, 20] },
    { category_id: p.cats[0], bbox: [20, 0, 20, 30] },
    { category_id: p.cats[1], bbox: [2, 2, 3.75, 4] },
  ]);
  await put(imgs[1].id, [{ category_id: p.cats[0], bbox: [0, 0, 40, 30] }]);
  await put(imgs[2].id, []);
  const ex = await exportAll(p.id);
  const { ann, man, zip, dir } = await check(ex);
  assert.equal(ann.info.schema_version, '1.1.0');
  assert.equal(man.task_type, 'detection');
  assert.equal(ann.images.length, 3, 'the "no objects" image stays in images');
  assert.equal(ann.annotations.length, 4);
  for (const a of ann.annotations) {
    assert.equal(a.iscrowd, 0);
    assert.equal(a.area, a.bbox[2] * a.bbox[3]);
  }
  assert.equal(man.counts.per_category[String(p.cats[1])], 2);
  assert.equal(man.counts.per_category[String(p.cats[0])], 2);
  // The bytes keep floats as floats: "bbox":[0.5,1.25,10.0,20.0].
  assert.match(await readFile(join(dir, 'annotations.json'), 'utf8'), /"bbox":\[0\.5,1\.25,10\.0,20\.0\],"area":200\.0,"iscrowd":0/);
  // Every box the reader yields is a box of the API, in the same category.
  const py = await readWithPython(zip);
  assert.equal(py.task_type, 'detection');
  const byFile = new Map(ann.images.map((i) => [i.file_name, i.id]));
  for (const [fileName, boxes, classes] of py.samples) {
    const current = (await api('GET', `/api/v1/assets/${byFile.get(fileName)}/annotation`, undefined, 200)).json.payload.objects;
    // class_index is the category's position by id; p.cats are ascending.
    const want = current.map((o) => [JSON.stringify(o.bbox), p.cats.indexOf(o.category_id)]).sort();
    const got = boxes.map((b, k) => [JSON.stringify(b), classes[k]]).sort();
    assert.deepEqual(got, want, fileName);
  }
  assert.deepEqual(py.samples.map((s) => s[1].length), [3, 1, 0]);
  // YOLO labels beside the images, in the folder and the zip: class cx cy w h.
  const label0 = await readFile(join(dir, 'labels', `${imgs[0].id}.txt`), 'utf8');
  assert.equal(label0.split('\n').filter(Boolean).length, 3);
  assert.match(label0, /^0 0\.750000 0\.500000 0\.500000 1\.000000$/m);
  assert.equal(await readFile(join(dir, 'labels', `${imgs[2].id}.txt`), 'utf8'), '');
  const { stdout: names } = await run('unzip', ['-Z1', zip]);
  assert.deepEqual(names.split('\n').filter((n) => n.startsWith('labels/')).sort(),
    ['labels/', ...imgs.slice(0, 3).map((i) => `labels/${i.id}.txt`)].sort());
  // Tampering with a box is caught by verify.
  const bad = JSON.parse(JSON.stringify(ann));
  bad.annotations[0].bbox[2] = 1000;
  const tdir = join(work, 'tampered');
  await run('cp', ['-r', dir, tdir]);
  await writeFile(join(tdir, 'annotations.json'), JSON.stringify(bad));
  const out = await run(BIN, ['verify', tdir]).then(() => '', (e) => `${e.stdout}${e.stderr}`);
  assert.match(out, /bbox: not inside image/);
});

test('images answered with no category count in the preview and export on their own', async () => {
  const p = await project('Nothing here', 'detection', ['car']);
  const imgs = await uploadPngs(srv, token, p.id, 2, { start: 3300, w: 20, h: 20 });
  for (const im of imgs) await api('PUT', `/api/v1/assets/${im.id}/annotation`, { payload: { type: 'boxes', objects: [] } }, 200);
  await api('PUT', `/api/v1/assets/${imgs[1].id}/annotation`, { status: 'skipped' }, 200);
  const pre = await api('GET', `/api/v1/projects/${p.id}/exports/preview?statuses=labeled,approved`, undefined, 200);
  assert.equal(pre.json.counts?.images ?? pre.json.images, 1, pre.text);
  const ex = await exportAll(p.id);
  const { ann, man } = await check(ex);
  assert.deepEqual(ann.images.map((i) => i.id), [imgs[0].id]);
  assert.equal(ann.annotations.length, 0);
  assert.equal(man.counts.images, 1);
});
