// Exports with a deterministic train/val/test split (schema_version 1.2.0):
// each image's part comes from SHA-256(seed || checksum), so it never moves
// when images are added; the split is in annotations.json (under the hash)
// and in the manifest; the files pass the JSON Schemas, `tessera verify`
// and the Python reader; bad splits are refused with clear messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, writeFile, cp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { waitExport, verifyExport, exportTestSetup } from '../lib/exports.mjs';

const run = promisify(execFile);
let srv, token, work, validateAnnotations, validateManifest;

const { api } = exportTestSetup('tessera-export-split-', (s) => ({ srv, token, work, validateAnnotations, validateManifest } = s));

// The split rule, written independently of the server and the reader.
function partOf(split, checksum) {
  const d = createHash('sha256').update(Buffer.concat([Buffer.from(split.seed, 'utf8'), Buffer.from(checksum, 'ascii')])).digest();
  const u = Number(d.readBigUInt64BE(0) >> 11n) / 2 ** 53;
  if (u < split.train) return 'train';
  if (u < split.train + split.val) return 'val';
  return 'test';
}

async function labeledProject(name, n) {
  const p = (await api('POST', '/api/v1/projects', { name }, 201)).json;
  const cats = [];
  for (const c of ['cat', 'dog']) cats.push((await api('POST', `/api/v1/projects/${p.id}/categories`, { name: c }, 201)).json.id);
  const label = async (assets) => {
    for (const [i, a] of assets.entries()) {
      await api('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cats[i % 2]] }, 200);
    }
  };
  await label(await uploadPngs(srv, token, p.id, n));
  return { id: p.id, cats, label };
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

const SPLIT = { seed: 'team-1', train: 0.6, val: 0.2, test: 0.2 };

test('an export with a split: every image in its part, schemas, verify, reader', async () => {
  const p = await labeledProject('split', 30);
  const { ex, dir, ann, man, created } = await exportWith(p.id, { statuses: ['labeled'], split: SPLIT });
  assert.deepEqual(created.selection, { statuses: ['labeled'], split: SPLIT });
  assert.deepEqual(ex.selection, { statuses: ['labeled'], split: SPLIT });
  assert.equal(ann.info.schema_version, '1.2.0');
  assert.deepEqual(ann.info.split, SPLIT);
  assert.equal(man.schema_version, '1.2.0');
  assert.deepEqual(man.selection.split, SPLIT);
  assert.ok(validateAnnotations(ann), JSON.stringify(validateAnnotations.errors));
  assert.ok(validateManifest(man), JSON.stringify(validateManifest.errors));
  const per = { train: 0, val: 0, test: 0 };
  for (const im of ann.images) {
    assert.equal(im.split, partOf(SPLIT, im.checksum_sha256), `image ${im.id}`);
    per[im.split]++;
  }
  assert.deepEqual(man.counts.per_split, per);
  assert.deepEqual(ex.counts.per_split, per);
  assert.ok(per.train > 0 && per.val + per.test > 0, JSON.stringify(per));
  const v = await verifyExport(dir);
  assert.equal(v.code, 0, v.out);

  // The reader: every image's part, and one part at a time.
  const code = 'import json, sys; sys.path.insert(0, sys.argv[1]); from tessera_dataset import TesseraDataset\n' +
    'with TesseraDataset(sys.argv[2]) as ds:\n' +
    '    print(json.dumps({"split": ds.split, "of": {im["file_name"]: ds.split_of(im["file_name"]) for im in ds.annotations["images"]},\n' +
    '                      "val": sorted(str(p).rsplit("/", 1)[-1] for p, _ in ds.iter_split("val"))}))';
  const out = JSON.parse((await run('python3', ['-c', code, join(ROOT, 'contract/python'), dir])).stdout);
  assert.deepEqual(out.split, SPLIT);
  for (const im of ann.images) assert.equal(out.of[im.file_name], im.split);
  assert.deepEqual(out.val, ann.images.filter((im) => im.split === 'val').map((im) => im.file_name).sort());

  // Moving an image to another part is caught by verify (and the hash).
  const bad = join(work, 'moved');
  await cp(dir, bad, { recursive: true });
  const moved = structuredClone(ann);
  moved.images[0].split = moved.images[0].split === 'train' ? 'test' : 'train';
  await writeFile(join(bad, 'annotations.json'), JSON.stringify(moved));
  const vb = await verifyExport(bad);
  assert.equal(vb.code, 1, vb.out);
  assert.match(vb.out, /\/images\/0\/split: "(train|test)", but the seed and its checksum give/);
  assert.match(vb.out, /hash mismatch/);
});

test('an image never moves between parts when images are added', async () => {
  const p = await labeledProject('stable', 20);
  const v1 = await exportWith(p.id, { statuses: ['labeled'], split: SPLIT });
  await p.label(await uploadPngs(srv, token, p.id, 25, { start: 500 }));
  const v2 = await exportWith(p.id, { statuses: ['labeled'], split: SPLIT });
  assert.equal(v2.ann.images.length, 45);
  const inV2 = new Map(v2.ann.images.map((im) => [im.id, im.split]));
  for (const im of v1.ann.images) assert.equal(inV2.get(im.id), im.split, `image ${im.id}`);
  assert.equal((await verifyExport(v2.dir)).code, 0);
});

test('without a split the export is as before (no split anywhere)', async () => {
  const p = await labeledProject('nosplit', 3);
  const { ann, man, ex } = await exportWith(p.id, { statuses: ['labeled'], split: null });
  assert.equal(ann.info.schema_version, '1.0.0');
  assert.equal(ann.info.split, undefined);
  assert.ok(ann.images.every((im) => !('split' in im)));
  assert.equal(man.selection.split, undefined);
  assert.equal(man.counts.per_split, undefined);
  assert.deepEqual(ex.selection, { statuses: ['labeled'] });
});

test('a bad split is refused with a clear message and creates nothing', async () => {
  const p = await labeledProject('badsplit', 2);
  const cases = [
    [[0.8, 0.1, 0.1], /must be an object/],
    [{ train: 0.8, val: 0.1, test: 0.1 }, /needs a seed/],
    [{ seed: '', train: 0.8, val: 0.1, test: 0.1 }, /seed must be 1 to 100 characters/],
    [{ seed: 'x'.repeat(101), train: 0.8, val: 0.1, test: 0.1 }, /seed must be 1 to 100 characters/],
    [{ seed: 'a\nb', train: 0.8, val: 0.1, test: 0.1 }, /control characters/],
    [{ seed: 's', val: 0.1, test: 0.1 }, /needs a fraction train/],
    [{ seed: 's', train: '0.8', val: 0.1, test: 0.1 }, /train must be a number from 0 to 1/],
    [{ seed: 's', train: 0.8, val: -0.1, test: 0.3 }, /val must be a number from 0 to 1/],
    [{ seed: 's', train: 0.8, val: 0.1, test: 0.2 }, /must add up to 1 \(they add up to 1\.1\)/],
    [{ seed: 's', train: 0, val: 0.5, test: 0.5 }, /train fraction must be more than 0/],
    [{ seed: 's', train: 0.8, val: 0.1, test: 0.1, shuffle: true }, /takes only seed, train, val and test/],
  ];
  for (const [split, message] of cases) {
    const r = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled'], split }, 400);
    assert.equal(r.json.error.code, 'invalid_split', r.text);
    assert.match(r.json.error.message, message, JSON.stringify(split));
  }
  const list = (await api('GET', `/api/v1/projects/${p.id}/exports`, undefined, 200)).json;
  assert.equal(list.exports.length, 0, JSON.stringify(list));
});
