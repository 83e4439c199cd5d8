// Segmentation exports (schema_version 1.4.0): one COCO annotation per
// object, "segmentation" holding its polygons (iscrowd 0), "area" the
// polygon area with holes subtracted, "bbox" the polygon bounds; an object
// with a hole is written as compressed COCO RLE beside its rings. YOLO
// segmentation labels sit beside the images. The export passes the JSON
// Schemas and `tessera verify`, every check of verify fails on a tampered
// copy, and the Python reader's own rasterisation equals the server's RLE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, BIN, ROOT } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { contractValidators, waitExport } from '../lib/exports.mjs';

const run = promisify(execFile);
const W = 40;
const H = 30;
let srv, token, work, validateAnnotations, validateManifest, ex, dir, zip, ann, man, p, imgs;

const api = async (method, path, body, expect) => {
  const r = await srv.req(method, path, { token, body });
  if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.text}`);
  return r;
};
const verify = (path) => run(BIN, ['verify', path]).then(() => 0, (e) => `${e.stdout}${e.stderr}`);
const square = (x, y, s) => [x, y, x + s, y, x + s, y + s, x, y + s];
// Shoelace, as the contract defines area.
const shoelace = (r) => {
  let s = 0;
  for (let i = 0; i < r.length; i += 2) {
    const j = (i + 2) % r.length;
    s += r[i] * r[j + 1] - r[j] * r[i + 1];
  }
  return Math.abs(s / 2);
};

const triangle = [1.5, 2.25, 12, 2.25, 6.75, 11];
const outer = [14, 1, 38, 1, 38, 20, 14, 20];
const hole = [20.5, 5.25, 30, 5.25, 25, 15.5];
const island = [24, 9, 26, 9, 25, 11];

before(async () => {
  ({ srv, token } = await startWithAdmin());
  work = await mkdtemp(join(tmpdir(), 'tessera-seg-export-'));
  ({ validateAnnotations, validateManifest } = await contractValidators());
  const proj = (await api('POST', '/api/v1/projects', { name: 'Seg export', task_type: 'segmentation' }, 201)).json;
  p = { id: proj.id, cats: [] };
  for (const c of ['leaf', 'stone']) p.cats.push((await api('POST', `/api/v1/projects/${p.id}/categories`, { name: c }, 201)).json.id);
  imgs = await uploadPngs(srv, token, p.id, 4, { start: 4100, w: W, h: H });
  const put = (id, objects) => api('PUT', `/api/v1/assets/${id}/annotation`, { payload: { type: 'polygons', objects } }, 200);
  await put(imgs[0].id, [
    { id: 'tri', category_id: p.cats[1], polygons: [triangle] },
    // A part with a hole holding an island, and a second part.
    { id: 'holed', category_id: p.cats[0], polygons: [outer, hole, island, square(1, 20, 5)] },
  ]);
  await put(imgs[1].id, [{ category_id: p.cats[0], polygons: [square(0, 0, 10), [20, 10, 40, 10, 40, 30]] }]);
  await put(imgs[2].id, []);
  const r = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled', 'approved'] }, 202);
  ex = await waitExport(srv, token, r.json.id);
  assert.equal(ex.state, 'ready', JSON.stringify(ex));
  dir = join(srv.dataDir, 'exports', String(ex.project_id), String(ex.version));
  ann = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8'));
  man = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  const res = await fetch(`${srv.url}/api/v1/exports/${ex.id}/download`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  zip = join(work, 'seg.zip');
  await writeFile(zip, Buffer.from(await res.arrayBuffer()));
});
after(async () => {
  await srv.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test('a segmentation export: polygons, area and bounds per object, RLE for holes, schema 1.4.0, verified', async () => {
  assert.ok(validateAnnotations(ann), JSON.stringify(validateAnnotations.errors));
  assert.ok(validateManifest(man), JSON.stringify(validateManifest.errors));
  assert.equal(await verify(dir), 0);
  assert.equal(await verify(zip), 0);
  assert.equal(ann.info.schema_version, '1.4.0');
  assert.equal(man.schema_version, '1.4.0');
  assert.equal(ann.info.task_type, 'segmentation');
  assert.equal(ann.images.length, 3, 'the "no objects" image stays');
  assert.equal(ann.annotations.length, 3);
  const [holed, tri, parts] = ann.annotations; // sorted by (image, category)
  assert.deepEqual(tri.segmentation, [triangle]);
  assert.equal(tri.iscrowd, 0);
  assert.equal(tri.area, shoelace(triangle));
  assert.deepEqual(tri.bbox, [1.5, 2.25, 10.5, 8.75]);
  // The object with a hole: RLE of the whole image, its rings beside it.
  assert.equal(typeof holed.segmentation.counts, 'string');
  assert.deepEqual(holed.segmentation.size, [H, W]);
  assert.deepEqual(holed.polygons, [outer, hole, island, square(1, 20, 5)]);
  assert.equal(holed.iscrowd, 0);
  assert.ok(Math.abs(holed.area - (shoelace(outer) - shoelace(hole) + shoelace(island) + 25)) < 1e-9);
  assert.deepEqual(holed.bbox, [1, 1, 37, 24]);
  // Two parts, no hole: COCO polygons.
  assert.deepEqual(parts.segmentation, [square(0, 0, 10), [20, 10, 40, 10, 40, 30]]);
  assert.equal(parts.area, 100 + 200);
  assert.deepEqual(parts.bbox, [0, 0, 40, 30]);
  assert.equal(man.counts.per_category[String(p.cats[0])], 2);
  // Floats stay floats in the bytes.
  assert.match(await readFile(join(dir, 'annotations.json'), 'utf8'),
    /"segmentation":\[\[1\.5,2\.25,12\.0,2\.25,6\.75,11\.0\]\],"bbox":\[1\.5,2\.25,10\.5,8\.75\],"area":/);
});

test('a segmentation export with a split stays schema_version 1.4.0 and carries the split', async () => {
  const split = { seed: 's', train: 0.5, val: 0.25, test: 0.25 };
  const r = await api('POST', `/api/v1/projects/${p.id}/exports`, { statuses: ['labeled', 'approved'], split }, 202);
  const e = await waitExport(srv, token, r.json.id);
  assert.equal(e.state, 'ready', JSON.stringify(e));
  const d = join(srv.dataDir, 'exports', String(e.project_id), String(e.version));
  const a = JSON.parse(await readFile(join(d, 'annotations.json'), 'utf8'));
  const m = JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8'));
  assert.equal(a.info.schema_version, '1.4.0');
  assert.deepEqual(a.info.split, split);
  assert.ok(a.images.every((im) => ['train', 'val', 'test'].includes(im.split)));
  assert.ok(validateAnnotations(a), JSON.stringify(validateAnnotations.errors));
  assert.ok(validateManifest(m), JSON.stringify(validateManifest.errors));
  assert.equal(await verify(d), 0);
});

test('YOLO segmentation labels: one line per part, normalised, holes left out', async () => {
  const l0 = (await readFile(join(dir, 'labels', `${imgs[0].id}.txt`), 'utf8')).split('\n').filter(Boolean);
  // leaf (class 0): outer, island, the square; stone (class 1): the triangle.
  assert.equal(l0.length, 4);
  assert.equal(l0[0], '0 0.350000 0.033333 0.950000 0.033333 0.950000 0.666667 0.350000 0.666667');
  assert.equal(l0[1], '0 0.600000 0.300000 0.650000 0.300000 0.625000 0.366667');
  assert.equal(l0[3], '1 0.037500 0.075000 0.300000 0.075000 0.168750 0.366667');
  assert.equal(await readFile(join(dir, 'labels', `${imgs[2].id}.txt`), 'utf8'), '');
  const { stdout: names } = await run('unzip', ['-Z1', zip]);
  assert.deepEqual(names.split('\n').filter((n) => n.startsWith('labels/')).sort(),
    ['labels/', ...imgs.slice(0, 3).map((i) => `labels/${i.id}.txt`)].sort());
});

// Writes a copy of the export with annotations.json changed by edit and
// returns what verify says about it.
async function tampered(name, edit) {
  const bad = JSON.parse(JSON.stringify(ann));
  edit(bad.annotations);
  const tdir = join(work, name);
  await run('cp', ['-r', dir, tdir]);
  await writeFile(join(tdir, 'annotations.json'), JSON.stringify(bad));
  const out = await verify(tdir);
  assert.notEqual(out, 0, name);
  return out;
}

test('verify refuses each kind of broken segmentation', async () => {
  assert.match(await tampered('short-ring', (a) => { a[1].segmentation[0] = [1, 1, 5, 1]; }),
    /annotations\/1\/segmentation\/0: not a ring of at least 3 points/);
  assert.match(await tampered('odd-ring', (a) => { a[1].segmentation[0] = [1, 1, 5, 1, 3]; }),
    /annotations\/1\/segmentation\/0: not a ring/);
  assert.match(await tampered('outside', (a) => { a[1].segmentation[0][2] = 40.5; }),
    /annotations\/1\/segmentation\/0: point 1 not inside the 40x30 image/);
  assert.match(await tampered('crossing', (a) => { a[2].segmentation[0] = [0, 0, 10, 10, 10, 0, 0, 12]; }),
    /annotations\/2\/segmentation\/0: the ring intersects itself/);
  assert.match(await tampered('area', (a) => { a[1].area += 0.5; }),
    /annotations\/1\/area: .*not the area of its polygons/);
  assert.match(await tampered('bbox', (a) => { a[2].bbox[2] = 39; }),
    /annotations\/2\/bbox: not the bounds of its polygons/);
  assert.match(await tampered('hole-as-polygons', (a) => { a[2].segmentation.push(square(2, 2, 2)); a[2].area -= 4; }),
    /annotations\/2\/segmentation: a ring is a hole/);
  assert.match(await tampered('rle-size', (a) => { a[0].segmentation.size = [H, W + 1]; }),
    /annotations\/0\/segmentation\/size: not \[30, 40\]/);
  assert.match(await tampered('rle-short', (a) => { a[0].segmentation.counts = a[0].segmentation.counts.slice(0, -2); }),
    /annotations\/0\/segmentation\/counts: does not decode to its 30x40 size/);
  assert.match(await tampered('rle-char', (a) => { a[0].segmentation.counts += '~'; }),
    /\/annotations\/0\/segmentation.*(does not decode|does not match pattern)/);
  // Same total, other pixels: decodes, but is not the polygons' mask, and
  // its pixel count is far from the area.
  const out = await tampered('rle-other', (a) => { a[0].segmentation.counts = rleString([0, W * H]); });
  assert.match(out, /annotations\/0\/segmentation: the mask is not the rasterised polygons/);
  assert.match(out, /annotations\/0\/segmentation: the mask's 1200 pixels are too far from the area/);
  assert.match(await tampered('rle-polygons', (a) => { a[0].polygons[1][0] = 21; }),
    /annotations\/0\/segmentation: the mask is not the rasterised polygons/);
  // A label file that differs from the polygons.
  const tdir = join(work, 'label');
  await run('cp', ['-r', dir, tdir]);
  await writeFile(join(tdir, 'labels', `${imgs[1].id}.txt`), '0 0 0 1 0 1 1\n');
  assert.match(await verify(tdir), /differs from the polygons of image/);
});

// COCO's compressed counts string (pycocotools' rleToString).
function rleString(counts) {
  let s = '';
  counts.forEach((c, i) => {
    let x = i > 2 ? c - counts[i - 2] : c;
    for (let more = true; more;) {
      let ch = x & 0x1f;
      x >>= 5;
      more = ch & 0x10 ? x !== -1 : x !== 0;
      if (more) ch |= 0x20;
      s += String.fromCharCode(ch + 48);
    }
  });
  return s;
}

test('the Python reader yields the polygons and rasterises each object as the server does', async () => {
  const code = `import json, sys
sys.path.insert(0, sys.argv[1])
from tessera_dataset import TesseraDataset, rle_decode
out = {"samples": [], "masks": []}
with TesseraDataset(sys.argv[2]) as ds:
    out["task_type"] = ds.task_type
    for file_name, polygons, classes in ds.samples:
        out["samples"].append([file_name, polygons, classes])
    for a in ds.annotations["annotations"]:
        im = [i for i in ds.annotations["images"] if i["id"] == a["image_id"]][0]
        rings = a["polygons"] if isinstance(a["segmentation"], dict) else a["segmentation"]
        mine = ds.object_mask(rings, im["width"], im["height"])
        server = rle_decode(a["segmentation"]) if isinstance(a["segmentation"], dict) else None
        out["masks"].append([sum(map(sum, mine)), server == mine if server else None])
print(json.dumps(out))`;
  const { stdout } = await run('python3', ['-c', code, join(ROOT, 'contract/python'), zip]);
  const py = JSON.parse(stdout);
  assert.equal(py.task_type, 'segmentation');
  assert.deepEqual(py.samples.map((s) => s[1].length), [2, 1, 0]);
  // Every object's rings and class as the API holds them.
  for (const [fileName, objects, classes] of py.samples) {
    const id = ann.images.find((i) => i.file_name === fileName).id;
    const current = (await api('GET', `/api/v1/assets/${id}/annotation`, undefined, 200)).json.payload.objects;
    const want = current.map((o) => [JSON.stringify(o.polygons), p.cats.indexOf(o.category_id)]).sort();
    const got = objects.map((o, k) => [JSON.stringify(o), classes[k]]).sort();
    assert.deepEqual(got, want, fileName);
  }
  // The object with holes: the reader's scanline mask equals the server's RLE.
  assert.equal(py.masks[0][1], true);
  assert.ok(py.masks[1][0] > 0);
  // By hand: the square's 100 pixels, and the triangle's rows y + 0.5 = 10.5
  // .. 29.5 from x + 0.5 = y + 10.5 (on its left edge: inside) to 39.5,
  // 20 + 19 + ... + 1 = 210 pixels.
  assert.equal(py.masks[2][0], 100 + 210);
});

test('the reader masks equal the server RLE on awkward shapes (vertices and edges on pixel centres)', async () => {
  const proj = (await api('POST', '/api/v1/projects', { name: 'Awkward', task_type: 'segmentation' }, 201)).json;
  const cat = (await api('POST', `/api/v1/projects/${proj.id}/categories`, { name: 'x' }, 201)).json.id;
  const [img] = await uploadPngs(srv, token, proj.id, 1, { start: 4300, w: 37, h: 23 });
  const frame = (x, y, w, h) => [x, y, x + w, y, x + w, y + h, x, y + h];
  const objects = [
    // Vertices on pixel centres, a diamond hole whose edges pass through centres.
    { category_id: cat, polygons: [frame(0.5, 0.5, 12, 10), [6.5, 2.5, 10.5, 5.5, 6.5, 8.5, 2.5, 5.5]] },
    // Thin slanted sliver hole, a concave outer ring, fractions of a pixel.
    { category_id: cat, polygons: [[14.25, 1.75, 36.9, 0.1, 30, 12.5, 25.5, 6.5, 15, 21.999], [20.1, 7.2, 20.6, 7.3, 17.3, 15.9]] },
    // A hole with an island, touching the image's right and bottom edges.
    { category_id: cat, polygons: [[26, 14, 37, 14, 37, 23, 26, 23], frame(28, 15.5, 7, 6), frame(30.5, 17.5, 2, 2)] },
  ];
  await api('PUT', `/api/v1/assets/${img.id}/annotation`, { payload: { type: 'polygons', objects } }, 200);
  const r = await api('POST', `/api/v1/projects/${proj.id}/exports`, { statuses: ['labeled'] }, 202);
  const e = await waitExport(srv, token, r.json.id);
  assert.equal(e.state, 'ready', JSON.stringify(e));
  const d = join(srv.dataDir, 'exports', String(e.project_id), String(e.version));
  assert.equal(await verify(d), 0);
  const code = `import json, sys
sys.path.insert(0, sys.argv[1])
from tessera_dataset import TesseraDataset, rle_decode
with TesseraDataset(sys.argv[2]) as ds:
    im = ds.annotations["images"][0]
    out = []
    for a in ds.annotations["annotations"]:
        mine = ds.object_mask(a["polygons"], im["width"], im["height"])
        out.append([mine == rle_decode(a["segmentation"]), sum(map(sum, mine)), a["area"]])
print(json.dumps(out))`;
  const { stdout } = await run('python3', ['-c', code, join(ROOT, 'contract/python'), d]);
  const masks = JSON.parse(stdout);
  assert.equal(masks.length, 3);
  for (const [same, pixels, area] of masks) {
    assert.equal(same, true);
    assert.ok(pixels > 0 && Math.abs(pixels - area) < area / 2, `${pixels} pixels for an area of ${area}`);
  }
});
