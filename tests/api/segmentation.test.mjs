// Segmentation projects over HTTP: task_type segmentation, "polygons"
// payloads of objects with one or more rings (a ring inside another ring of
// the object is a hole), stable object ids, the geometry rules (at least 3
// distinct points, no self-intersection, rings apart or nested, every point
// inside the image, finite numbers, the per-object and per-image limits),
// each refusal naming the object and the ring, and revisions, history,
// review, stats and category filters working for polygons as for boxes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const W = 64;
const H = 48;
let srv, token, pid, cats, assets;

const put = (id, body) => srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body });
const get = (id) => srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
const sql = (q) => srv.sql(q);
const polys = (objects) => ({ payload: { type: 'polygons', objects } });
const square = (x, y, s) => [x, y, x + s, y, x + s, y + s, x, y + s];
// A regular n-gon around (cx, cy): valid, for the size limits.
const ngon = (n, cx, cy, r) => Array.from({ length: n }, (_, i) => [
  cx + r * Math.cos((2 * Math.PI * i) / n), cy + r * Math.sin((2 * Math.PI * i) / n)]).flat();

before(async () => {
  ({ srv, token } = await startWithAdmin());
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Masks', task_type: 'segmentation' } });
  assert.equal(p.status, 201, p.text);
  pid = p.json.id;
  cats = [];
  for (const name of ['road', 'tree', 'sky']) {
    cats.push((await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json);
  }
  assets = await uploadPngs(srv, token, pid, 8, { start: 700, w: W, h: H });
});
after(async () => { await srv.close(); });

test('task_type segmentation is chosen at creation, with schema_version 1.4.0, and cannot change', async () => {
  const one = await srv.req('GET', `/api/v1/projects/${pid}`, { token });
  assert.equal(one.json.task_type, 'segmentation');
  assert.equal(one.json.schema_version, '1.4.0');
  const r = await srv.req('PATCH', `/api/v1/projects/${pid}`, { token, body: { task_type: 'detection' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'task_type_immutable');
  await assert.rejects(sql(`UPDATE projects SET task_type = 'detection' WHERE id = ${pid}`), /immutable/);
});

test('polygons are stored as sent, new objects get ids, ids stay across edits, holes are kept', async () => {
  const id = assets[0].id;
  const [road, tree] = [cats[0].id, cats[1].id];
  const r = await put(id, polys([
    { id: 'left-road', category_id: road, polygons: [[0, 30, 20.5, 30, 10, 47.25]] },
    // Two parts, the first with a hole.
    { category_id: tree, polygons: [square(30, 2, 20), square(35, 7, 5), square(55, 40, 8)] },
  ]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'labeled');
  assert.equal(r.json.revision, 1);
  const objs = r.json.payload.objects;
  assert.deepEqual(objs[0], { id: 'left-road', category_id: road, polygons: [[0, 30, 20.5, 30, 10, 47.25]] });
  assert.match(objs[1].id, /^[A-Za-z0-9_-]{1,36}$/);
  assert.deepEqual(objs[1].polygons, [square(30, 2, 20), square(35, 7, 5), square(55, 40, 8)]);
  assert.deepEqual(r.json.category_ids, [road, tree].sort((a, b) => a - b));
  // Move a vertex, add an object without id: the others keep their ids.
  const moved = { ...objs[0], polygons: [[0, 30, 21, 30, 10, 47.25]] };
  const r2 = await put(id, { ...polys([moved, objs[1], { category_id: road, polygons: [square(0, 0, 4)] }]), revision: 1 });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.revision, 2);
  const ids = r2.json.payload.objects.map((o) => o.id);
  assert.deepEqual(ids.slice(0, 2), ['left-road', objs[1].id]);
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual((await get(id)).json.payload, r2.json.payload);
  // The same polygons again: a repeat, nothing written.
  const r3 = await put(id, { payload: r2.json.payload, revision: 1 });
  assert.equal(r3.status, 200, r3.text);
  assert.equal(r3.json.revision, 2);
  const stale = await put(id, { ...polys([{ category_id: road, polygons: [square(1, 1, 2)] }]), revision: 1 });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'stale_revision');
  assert.deepEqual(stale.json.error.details.current.payload, r2.json.payload);
  const h = (await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token })).json.history;
  assert.equal(h.length, 2);
  assert.deepEqual(h[1].from.payload, r.json.payload);
  assert.deepEqual(h[1].to.payload, r2.json.payload);
  // Points on the image's edges are inside; the top-level form works.
  const top = await put(assets[1].id, { type: 'polygons', objects: [{ category_id: road, polygons: [[0, 0, W, 0, W, H, 0, H]] }] });
  assert.equal(top.status, 200, top.text);
  assert.deepEqual(top.json.payload.objects[0].polygons, [[0, 0, W, 0, W, H, 0, H]]);
});

test('an image with no objects is an explicit answer', async () => {
  const id = assets[2].id;
  const r = await put(id, polys([]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'labeled');
  assert.deepEqual(r.json.payload, { type: 'polygons', objects: [] });
  assert.equal((await put(id, { status: 'approved' })).json.status, 'approved');
  const edit = await put(id, polys([{ category_id: cats[2].id, polygons: [square(1, 1, 3)] }]));
  assert.equal(edit.json.status, 'labeled');
});

test('bad polygons get a clear 400 naming the object and the ring, and nothing is stored', async () => {
  const id = assets[3].id;
  const c = cats[0].id;
  const ok = { category_id: c, polygons: [square(1, 1, 5)] };
  const obj = (...rings) => ({ category_id: c, polygons: rings });
  const cases = [
    [polys([obj([1, 1, 5, 5])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\] has fewer than 3 points/],
    [polys([ok, obj(square(1, 1, 5), [1, 1, 5, 5, 6])]), 'invalid_polygon', /objects\[1\]\.polygons\[1\]/],
    [polys([ok, obj(square(20, 1, 5), [0, 0, 10, 10, 10, 0, 0, 12])]), 'invalid_polygon', /objects\[1\]\.polygons\[1\] intersects itself/],
    [polys([obj([1, 1, 5, 1, 5, 1, 1, 5])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\] repeats a point/],
    [polys([obj([1, 1, 5, 1, 1, 5, 1, 1])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\] repeats a point/],
    [polys([obj([1, 1, 5, 1, 9, 1])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\] has no area/],
    [polys([obj([1, 1, 9, 1, 5, 1, 5, 6])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\] intersects itself/],
    [polys([ok, ok, obj(square(1, 1, 10), square(8, 8, 10))]), 'invalid_polygon', /objects\[2\]\.polygons\[1\] crosses or touches payload\.objects\[2\]\.polygons\[0\]/],
    [polys([obj(square(1, 1, 10), square(11, 1, 3))]), 'invalid_polygon', /objects\[0\]\.polygons\[1\] crosses or touches/],
    [polys([ok, obj(square(1, 1, 5), [1, '1', 5, 1, 5, 5])]), 'invalid_polygon', /objects\[1\]\.polygons\[1\]\[1\]/],
    [polys([obj([1, 1, 1e300, 1, 5, 5])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\]\[2\]/],
    [polys([obj([1, 1, 5, 1, null, 5])]), 'invalid_polygon', /objects\[0\]\.polygons\[0\]\[4\]/],
    [polys([obj('1,1,5,1,5,5')]), 'invalid_polygon', /objects\[0\]\.polygons\[0\]/],
    [polys([{ category_id: c, polygons: [] }]), 'invalid_polygon', /objects\[0\]\.polygons/],
    [polys([{ category_id: c }]), 'invalid_polygon', /objects\[0\]\.polygons/],
    [polys([{ ...ok, bbox: [1, 1, 2, 2] }]), 'invalid_payload', /bbox/],
    [polys([obj([-0.5, 1, 5, 1, 5, 5])]), 'polygon_outside_image', /objects\[0\]\.polygons\[0\]/],
    [polys([ok, obj(square(1, 1, 5), [60, 40, 64.5, 40, 60, 47])]), 'polygon_outside_image', /objects\[1\]\.polygons\[1\]/],
    [polys([obj([1, 1, 5, 1, 5, 48.01])]), 'polygon_outside_image', /objects\[0\]\.polygons\[0\]/],
    [polys([{ ...ok, id: 'has space' }]), 'invalid_object_id', /objects\[0\]\.id/],
    [polys([{ ...ok, id: 'a' }, { ...ok, id: 'a' }]), 'duplicate_object_id', /objects\[1\]/],
    [polys([{ ...ok, category_id: 987654 }]), 'unknown_category', /987654/],
    [polys([{ category_id: c, polygons: Array.from({ length: 101 }, (_, i) => square(i % 10 * 6, Math.floor(i / 10) * 4, 1)) }]), 'too_many', /objects\[0\]\.polygons holds 101 rings/],
    [polys([obj(ngon(10001, 32, 24, 20))]), 'too_many', /objects\[0\] has 10001 points/],
    [{ payload: { type: 'boxes', objects: [] } }, 'payload_type_mismatch', /segmentation/],
    [{ category_ids: [c] }, 'payload_type_mismatch', /segmentation/],
    [{ payload: { type: 'polygons' } }, 'invalid_payload', /objects/],
  ];
  for (const [body, code, field] of cases) {
    const r = await put(id, body);
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 200)}: ${r.text.slice(0, 300)}`);
    assert.equal(r.json.error.code, code, JSON.stringify(body).slice(0, 200));
    assert.match(r.json.error.message, field);
    assert.match(r.json.error.message, /\.$/);
  }
  // NaN and Infinity are not JSON: refused before they reach the payload.
  for (const v of ['NaN', '1e999', 'Infinity']) {
    const text = `{"payload":{"type":"polygons","objects":[{"category_id":${c},"polygons":[[1,1,${v},1,5,5]]}]}}`;
    const r = await srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: text, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, r.text);
  }
  // A million points in one request: refused whole with a clear answer.
  const million = polys(Array.from({ length: 1000 }, (_, i) => obj(ngon(1000, 32, 24, 1 + (i % 20)))));
  const huge = await put(id, million);
  assert.ok([400, 413].includes(huge.status), huge.text.slice(0, 200));
  assert.match(huge.json.error.message, /\.$/);
  // 10,000 points in one object is the limit, and fits.
  const full = await put(assets[4].id, polys([obj(ngon(10000, 32, 24, 20))]));
  assert.equal(full.status, 200, full.text.slice(0, 300));
  assert.equal(full.json.payload.objects[0].polygons[0].length, 20000);
  // Nothing was written for the refused ones.
  assert.equal((await get(id)).json.revision, 0);
  assert.equal(await sql(`SELECT count(*) FROM annotation_history WHERE asset_id = ${id}`), '0');
});

test('disabled and deleted categories are refused in polygons', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'S2', task_type: 'segmentation' } })).json;
  const [a, b] = [
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'a' } })).json,
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'b' } })).json,
  ];
  const [img] = await uploadPngs(srv, token, p.id, 1, { start: 790, w: W, h: H });
  const d = await srv.req('PATCH', `/api/v1/projects/${p.id}/categories/${a.id}`, { token, body: { state: 'disabled' } });
  assert.equal(d.status, 200, d.text);
  const r = await put(img.id, polys([{ category_id: b.id, polygons: [square(0, 0, 2)] }, { category_id: a.id, polygons: [square(4, 4, 2)] }]));
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'category_disabled');
  const del = await srv.req('DELETE', `/api/v1/projects/${p.id}/categories/${b.id}`, { token });
  assert.ok(del.status === 200 || del.status === 204, del.text);
  const r2 = await put(img.id, polys([{ category_id: b.id, polygons: [square(0, 0, 2)] }]));
  assert.equal(r2.status, 409);
  assert.equal(r2.json.error.code, 'category_deleted');
  assert.equal((await get(img.id)).json.revision, 0);
});

test('bulk review, stats and category filters work for polygons: images and objects per category', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'S3', task_type: 'segmentation' } })).json;
  const [a, b] = [
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'a' } })).json,
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'b' } })).json,
  ];
  const imgs = await uploadPngs(srv, token, p.id, 4, { start: 750, w: W, h: H });
  const o = (c, x) => ({ category_id: c, polygons: [square(x, 0, 4)] });
  assert.equal((await put(imgs[0].id, polys([o(a.id, 0), o(a.id, 10), o(b.id, 20)]))).status, 200);
  assert.equal((await put(imgs[1].id, polys([o(a.id, 0)]))).status, 200);
  assert.equal((await put(imgs[2].id, polys([]))).status, 200);
  const st = (await srv.req('GET', `/api/v1/projects/${p.id}/stats`, { token })).json;
  const of = (id) => st.per_category.find((k) => k.category_id === id);
  assert.equal(of(a.id).count, 2);
  assert.equal(of(a.id).objects, 3);
  assert.equal(of(b.id).count, 1);
  assert.equal(of(b.id).objects, 1);
  assert.equal(st.counts.labeled, 3);
  assert.equal(st.counts.unlabeled, 1);
  const bulk = await srv.req('POST', `/api/v1/projects/${p.id}/annotations/bulk`, { token, body: { action: 'approve', filter: { status: 'labeled' } } });
  assert.equal(bulk.status, 200, bulk.text);
  const st2 = (await srv.req('GET', `/api/v1/projects/${p.id}/stats`, { token })).json;
  assert.equal(st2.counts.approved, 3);
  assert.equal(st2.per_category.find((k) => k.category_id === a.id).objects, 3);
  const list = await srv.req('GET', `/api/v1/projects/${p.id}/assets?category_id=${b.id}`, { token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.assets.map((x) => x.id), [imgs[0].id]);
  const g = await get(imgs[0].id);
  assert.equal(g.json.status, 'approved');
  assert.equal(g.json.payload.objects.length, 3);
});
