// Exports in the ImageFolder layout (schema_version 1.3.0): every image at
// <part>/<class folder>/<file_name> (part: its split, or train without one;
// class folder: "<padded class_index>_<safe name>"), no images/ folder;
// annotations.json says info.layout (so the hash pins where each file
// goes), the files pass the JSON Schemas, `tessera verify` (folder and zip)
// and the Python reader, which yields (path, class_index) from the class
// folders. A default classification export is unchanged (1.0.0, images/).
// Bad layouts are refused with clear messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile, cp, readdir, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { waitExport, verifyExport, exportTestSetup } from '../lib/exports.mjs';

const run = promisify(execFile);
let srv, token, work, validateAnnotations, validateManifest;

const { api } = exportTestSetup('tessera-export-imagefolder-', (s) => ({ srv, token, work, validateAnnotations, validateManifest } = s));

// Every file below dir, as relative paths, sorted.
async function files(dir, prefix = '') {
  const out = [];
  for (const d of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...(await files(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

async function labeledProject(name, n, catNames = ['cat', 'dog/wolf', 'bird']) {
  const p = (await api('POST', '/api/v1/projects', { name }, 201)).json;
  const cats = [];
  for (const c of catNames) cats.push((await api('POST', `/api/v1/projects/${p.id}/categories`, { name: c }, 201)).json.id);
  const assets = await uploadPngs(srv, token, p.id, n, { start: 100 + p.id * 50 });
  for (const [i, a] of assets.entries()) {
    await api('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cats[i % cats.length]] }, 200);
  }
  return { id: p.id, cats };
}

async function exportWith(pid, body) {
  const r = await api('POST', `/api/v1/projects/${pid}/exports`, body, 202);
  const ex = await waitExport(srv, token, r.json.id);
  assert.equal(ex.state, 'ready', JSON.stringify(ex));
  const dir = join(srv.dataDir, 'exports', String(ex.project_id), String(ex.version));
  const ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  const man = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  return { ex, dir, ann, man, created: r.json };
}

// Where each image belongs, from annotations.json and the manifest alone.
function expected(ann, man) {
  const cls = new Map(man.categories.map((c) => [c.id, c.class_index]));
  const width = String(Math.max(man.categories.length - 1, 0)).length;
  const folder = (c) => `${String(c.class_index).padStart(width, '0')}_${c.name.replace(/[/\\<>:"|?*\x00-\x1f\x7f]/g, '_').replace(/[. ]$/, '_')}`;
  const byId = new Map(man.categories.map((c) => [c.id, folder(c)]));
  const paths = {};
  for (const a of ann.annotations) {
    const im = ann.images.find((x) => x.id === a.image_id);
    paths[im.file_name] = `${im.split ?? 'train'}/${byId.get(a.category_id)}/${im.file_name}`;
    assert.ok(cls.has(a.category_id));
  }
  return paths;
}

async function reader(dir) {
  const code = 'import json, sys; sys.path.insert(0, sys.argv[1]); from tessera_dataset import TesseraDataset\n' +
    'with TesseraDataset(sys.argv[2]) as ds:\n' +
    '    print(json.dumps({"layout": ds.layout, "items": sorted([str(p).split(sys.argv[2] + "/", 1)[-1], c] for p, c in ds)}))';
  return JSON.parse((await run('python3', ['-c', code, join(ROOT, 'contract/python'), dir])).stdout);
}

test('the ImageFolder layout: every image in its part and class folder; schemas, verify, reader', async () => {
  const p = await labeledProject('folders', 12);
  const split = { seed: 's1', train: 0.5, val: 0.25, test: 0.25 };
  const { ex, dir, ann, man, created } = await exportWith(p.id, { statuses: ['labeled'], split, layout: 'imagefolder' });
  assert.deepEqual(created.selection, { statuses: ['labeled'], split, layout: 'imagefolder' });
  assert.deepEqual(ex.selection, { statuses: ['labeled'], split, layout: 'imagefolder' });
  assert.equal(ann.info.schema_version, '1.3.0');
  assert.equal(ann.info.layout, 'imagefolder');
  assert.equal(man.schema_version, '1.3.0');
  assert.equal(man.selection.layout, 'imagefolder');
  assert.ok(validateAnnotations(ann), JSON.stringify(validateAnnotations.errors));
  assert.ok(validateManifest(man), JSON.stringify(validateManifest.errors));

  const want = expected(ann, man);
  assert.deepEqual(await files(dir), ['annotations.json', 'manifest.json', ...Object.values(want)].sort());
  assert.ok(Object.values(want).some((x) => x.includes('/1_dog_wolf/')), 'a "/" in a class name is made safe');
  const parts = new Set(Object.values(want).map((x) => x.split('/')[0]));
  assert.ok(parts.size >= 2, [...parts].join());
  assert.equal((await verifyExport(dir)).code, 0);

  // The zip holds the same files.
  const zip = `${dir}.zip`;
  const vz = await verifyExport(zip);
  assert.equal(vz.code, 0, vz.out);
  const listing = (await run('unzip', ['-Z1', zip])).stdout.trim().split('\n').filter((x) => !x.endsWith('/'));
  assert.deepEqual(listing.sort(), ['annotations.json', 'manifest.json', ...Object.values(want)].sort());

  // The reader yields each image's path in its class folder and its class_index.
  const r = await reader(dir);
  assert.equal(r.layout, 'imagefolder');
  const cls = new Map(man.categories.map((c) => [c.id, c.class_index]));
  const wantItems = ann.annotations.map((a) => {
    const im = ann.images.find((x) => x.id === a.image_id);
    return [want[im.file_name], cls.get(a.category_id)];
  }).sort();
  assert.deepEqual(r.items, wantItems);

  // A file moved to another class folder is caught by verify and the reader.
  const bad = join(work, 'moved');
  await cp(dir, bad, { recursive: true });
  const [first] = Object.values(want);
  const other = Object.values(want).find((x) => x.split('/').slice(0, 2).join('/') !== first.split('/').slice(0, 2).join('/'));
  const target = join(bad, other.split('/').slice(0, 2).join('/'), first.split('/')[2]);
  await mkdir(join(bad, other.split('/').slice(0, 2).join('/')), { recursive: true });
  await rename(join(bad, first), target);
  const vb = await verifyExport(bad);
  assert.equal(vb.code, 1, vb.out);
  assert.match(vb.out, /misplaced \(image \d+ belongs in /);
  assert.match(vb.out, /missing \(listed in annotations.json/);
  await assert.rejects(reader(bad), /misplaced|missing/);
});

test('without a split every image is under train/; the default layout is unchanged', async () => {
  const p = await labeledProject('nosplit', 5, ['a', 'b']);
  const { ann, man, dir } = await exportWith(p.id, { statuses: ['labeled'], layout: 'imagefolder' });
  assert.equal(ann.info.schema_version, '1.3.0');
  assert.equal(ann.info.split, undefined);
  const want = expected(ann, man);
  assert.ok(Object.values(want).every((x) => x.startsWith('train/')));
  assert.deepEqual(await files(dir), ['annotations.json', 'manifest.json', ...Object.values(want)].sort());
  assert.equal((await verifyExport(dir)).code, 0);

  // The same again: identical, and it reuses the first one's files (folder and zip).
  const again = await exportWith(p.id, { statuses: ['labeled'], layout: 'imagefolder' });
  assert.equal(again.ex.hash, man.hash);
  assert.equal(again.ex.shares_files_with_version, man.version);
  assert.deepEqual(await files(again.dir), await files(dir));
  assert.equal((await verifyExport(again.dir)).code, 0);
  const dl = await fetch(`${srv.url}/api/v1/exports/${again.ex.id}/download`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(dl.status, 200);
  const zpath = join(work, 'again.zip');
  await writeFile(zpath, Buffer.from(await dl.arrayBuffer()));
  const vz = await verifyExport(zpath);
  assert.equal(vz.code, 0, vz.out);

  // The same selection without the layout: 1.0.0 and images/, as before; another hash.
  const plain = await exportWith(p.id, { statuses: ['labeled'] });
  assert.equal(plain.ann.info.schema_version, '1.0.0');
  assert.equal(plain.ann.info.layout, undefined);
  assert.equal(plain.man.selection.layout, undefined);
  assert.ok((await files(plain.dir)).filter((x) => !x.endsWith('.json')).every((x) => x.startsWith('images/')));
  assert.notEqual(plain.ex.hash, man.hash);
  const coco = await exportWith(p.id, { statuses: ['labeled'], layout: 'coco' });
  assert.equal(coco.ex.hash, plain.ex.hash, '"coco" is the default');
  assert.equal(coco.ex.identical_to_version, plain.ex.version);
});

test('a bad layout is refused with a clear message', async () => {
  const p = await labeledProject('bad', 2, ['x']);
  const bad = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled'], layout: 'yolo' }, 400);
  assert.equal(bad.json.error.code, 'invalid_layout');
  const unl = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled', 'unlabeled'], layout: 'imagefolder' }, 400);
  assert.equal(unl.json.error.code, 'invalid_layout');
  assert.match(unl.json.error.message, /needs its class/);
  const num = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled'], layout: 3 }, 400);
  assert.equal(num.json.error.code, 'invalid_field');
  const multi = (await api('POST', '/api/v1/projects', { name: 'multi', task_type: 'classification_multi' }, 201)).json;
  const m = await api('POST', `/api/v1/projects/${multi.id}/exports`, { statuses: ['labeled'], layout: 'imagefolder' }, 400);
  assert.equal(m.json.error.code, 'invalid_layout');
  assert.match(m.json.error.message, /single-label classification/);
});
