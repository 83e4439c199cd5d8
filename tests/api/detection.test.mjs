// Detection projects over HTTP: task_type chosen at creation and immutable,
// "boxes" payloads with stable object ids, the geometry rules (inside the
// image, w and h > 0, finite, at most 1000 objects), the explicit "no
// objects" answer, the payload type that must match the project, and
// revisions, history, review and stats working for boxes like for labels.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startWithAdmin, SANITIZED } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const W = 64;
const H = 48;
let srv, token, pid, cats, assets;

const put = (id, body) => srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body });
const get = (id) => srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
const sql = (q) => srv.sql(q);
const boxes = (objects) => ({ payload: { type: 'boxes', objects } });

before(async () => {
  ({ srv, token } = await startWithAdmin());
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Boxes', task_type: 'detection' } });
  assert.equal(p.status, 201, p.text);
  pid = p.json.id;
  cats = [];
  for (const name of ['car', 'person', 'sign']) {
    cats.push((await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json);
  }
  assets = await uploadPngs(srv, token, pid, 10, { start: 900, w: W, h: H });
});
after(async () => { await srv.close(); });

test('task_type is chosen at creation, shown everywhere and cannot change', async () => {
  const one = await srv.req('GET', `/api/v1/projects/${pid}`, { token });
  assert.equal(one.json.task_type, 'detection');
  assert.equal(one.json.schema_version, '1.1.0');
  const list = await srv.req('GET', '/api/v1/projects', { token });
  assert.equal(list.json.projects.find((p) => p.id === pid).task_type, 'detection');
  const multi = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'M', task_type: 'classification_multi' } });
  assert.equal(multi.json.task_type, 'classification_multi');
  const dflt = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'D' } });
  assert.equal(dflt.json.task_type, 'classification_single');
  assert.equal(dflt.json.schema_version, '1.0.0');
  assert.equal(multi.json.schema_version, '1.1.0');
  for (const t of ['keypoints', '', 'Detection', 7]) {
    const r = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'X', task_type: t } });
    assert.equal(r.status, 400, `${t}: ${r.text}`);
  }
  for (const t of ['classification_single', 'detection']) {
    const r = await srv.req('PATCH', `/api/v1/projects/${pid}`, { token, body: { task_type: t } });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'task_type_immutable');
    assert.match(r.json.error.message, /task_type/);
  }
  assert.equal((await srv.req('GET', `/api/v1/projects/${pid}`, { token })).json.task_type, 'detection');
  // The database refuses a change too, whoever asks.
  await assert.rejects(sql(`UPDATE projects SET task_type = 'classification_single' WHERE id = ${pid}`), /immutable/);
  await assert.rejects(sql("INSERT INTO projects(name, task_type, schema_version, created_at, updated_at) VALUES ('z', 'polygons', '1', 0, 0)"), /task_type/);
});

test('boxes are stored as sent, objects without an id get one, and ids stay across edits', async () => {
  const id = assets[0].id;
  const [car, person] = [cats[0].id, cats[1].id];
  const r = await put(id, boxes([
    { id: 'front-car', category_id: car, bbox: [1.5, 2.25, 10, 20.125] },
    { category_id: person, bbox: [30, 0, 34, 48] },
  ]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'labeled');
  assert.equal(r.json.revision, 1);
  const objs = r.json.payload.objects;
  assert.equal(objs.length, 2);
  assert.deepEqual(objs[0], { id: 'front-car', category_id: car, bbox: [1.5, 2.25, 10, 20.125] });
  assert.match(objs[1].id, /^[A-Za-z0-9_-]{1,36}$/);
  assert.deepEqual(objs[1].bbox, [30, 0, 34, 48]);
  assert.deepEqual(r.json.category_ids, [car, person].sort((a, b) => a - b));
  const given = objs[1].id;
  // Move the person box, add a box without id: the first two keep their ids,
  // the new one gets an id used by no other.
  const r2 = await put(id, { ...boxes([objs[0], { ...objs[1], bbox: [31, 1, 33, 47] }, { category_id: car, bbox: [0, 0, 1, 1] }]), revision: 1 });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.revision, 2);
  const ids = r2.json.payload.objects.map((o) => o.id);
  assert.deepEqual(ids.slice(0, 2), ['front-car', given]);
  assert.equal(new Set(ids).size, 3);
  assert.deepEqual((await get(id)).json.payload, r2.json.payload);
  // The same boxes again: a repeat, nothing written.
  const r3 = await put(id, { payload: r2.json.payload, revision: 1 });
  assert.equal(r3.status, 200, r3.text);
  assert.equal(r3.json.revision, 2);
  // A stale write of other boxes is refused with the current boxes.
  const stale = await put(id, { ...boxes([{ category_id: car, bbox: [0, 0, 2, 2] }]), revision: 1 });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'stale_revision');
  assert.deepEqual(stale.json.error.details.current.payload, r2.json.payload);
  // History names the boxes before and after each change.
  const h = (await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token })).json.history;
  assert.equal(h.length, 2);
  assert.equal(h[0].from.payload, null);
  assert.deepEqual(h[1].from.payload, r.json.payload);
  assert.deepEqual(h[1].to.payload, r2.json.payload);
  // The top-level form works too.
  const top = await put(assets[1].id, { type: 'boxes', objects: [{ category_id: car, bbox: [0, 0, W, H] }] });
  assert.equal(top.status, 200, top.text);
  assert.deepEqual(top.json.payload.objects[0].bbox, [0, 0, W, H]);
});

test('an image with no objects is an explicit answer, different from unlabeled', async () => {
  const id = assets[2].id;
  assert.equal((await get(id)).json.status, 'unlabeled');
  const r = await put(id, boxes([]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'labeled');
  assert.deepEqual(r.json.payload, { type: 'boxes', objects: [] });
  assert.deepEqual(r.json.category_ids, []);
  // It can be reviewed and approved like any label.
  const a = await put(id, { status: 'approved' });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.status, 'approved');
  assert.deepEqual(a.json.payload, { type: 'boxes', objects: [] });
  // Skipping clears it; the answer again is a change.
  assert.deepEqual((await put(id, { status: 'skipped' })).json.payload, null);
  const again = await put(id, boxes([]));
  assert.equal(again.json.status, 'labeled');
  assert.equal(again.json.revision, 4);
  // A box on an approved image sends it back to labeled.
  assert.equal((await put(id, { status: 'approved' })).json.status, 'approved');
  const moved = await put(id, boxes([{ category_id: cats[0].id, bbox: [1, 1, 2, 2] }]));
  assert.equal(moved.json.status, 'labeled');
});

test('bad boxes get a clear 400 naming the field, and nothing is stored', async () => {
  const id = assets[3].id;
  const c = cats[0].id;
  const ok = { category_id: c, bbox: [1, 1, 5, 5] };
  const many = (n) => Array.from({ length: n }, () => ({ category_id: c, bbox: [0, 0, 1, 1] }));
  const cases = [
    [boxes([{ ...ok, bbox: [1, 1, 0, 5] }]), 'invalid_box', /objects\[0\]\.bbox/],
    [boxes([ok, { ...ok, bbox: [1, 1, 5, -2] }]), 'invalid_box', /objects\[1\]\.bbox/],
    [boxes([{ ...ok, bbox: [1, 1, 5] }]), 'invalid_box', /objects\[0\]\.bbox/],
    [boxes([{ ...ok, bbox: [1, '1', 5, 5] }]), 'invalid_box', /objects\[0\]\.bbox\[1\]/],
    [boxes([{ ...ok, bbox: [1e300, 1, 5, 5] }]), 'invalid_box', /objects\[0\]\.bbox\[0\]/],
    [boxes([{ ...ok, bbox: [-0.5, 1, 5, 5] }]), 'box_outside_image', /objects\[0\]\.bbox/],
    [boxes([{ ...ok, bbox: [60, 1, 5, 5] }]), 'box_outside_image', /objects\[0\]\.bbox/],
    [boxes([ok, { ...ok, bbox: [1, 40, 5, 8.001] }]), 'box_outside_image', /objects\[1\]\.bbox/],
    [boxes([{ ...ok, id: 'has space' }]), 'invalid_object_id', /objects\[0\]\.id/],
    [boxes([{ ...ok, id: 'x'.repeat(37) }]), 'invalid_object_id', /objects\[0\]\.id/],
    [boxes([{ ...ok, id: 7 }]), 'invalid_object_id', /objects\[0\]\.id/],
    [boxes([{ ...ok, id: 'a' }, { ...ok, id: 'a' }]), 'duplicate_object_id', /objects\[1\]/],
    [boxes([{ ...ok, score: 1 }]), 'invalid_payload', /score/],
    [boxes([{ bbox: [1, 1, 5, 5] }]), 'invalid_field', /objects\[0\]\.category_id/],
    [boxes([{ ...ok, category_id: 987654 }]), 'unknown_category', /987654/],
    [boxes({}), 'invalid_field', /payload\.objects/],
    [{ payload: { type: 'boxes' } }, 'invalid_payload', /objects/],
    [boxes(many(1001)), 'too_many', /payload\.objects/],
    [{ payload: { type: 'classification', category_ids: [c] } }, 'payload_type_mismatch', /detection/],
    [{ category_ids: [c] }, 'payload_type_mismatch', /detection/],
    [{ objects: [] }, 'invalid_request', /boxes/],
  ];
  for (const [body, code, field] of cases) {
    const r = await put(id, body);
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 200)}: ${r.text.slice(0, 300)}`);
    assert.equal(r.json.error.code, code, JSON.stringify(body).slice(0, 200));
    assert.match(r.json.error.message, field);
    assert.match(r.json.error.message, /\.$/);
  }
  // NaN and Infinity are not JSON: refused before they reach the payload.
  for (const text of ['{"payload":{"type":"boxes","objects":[{"category_id":1,"bbox":[NaN,1,1,1]}]}}',
    '{"payload":{"type":"boxes","objects":[{"category_id":1,"bbox":[1e999,1,1,1]}]}}']) {
    const r = await srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: text, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, r.text);
  }
  // More boxes than the per-image limit (1000): 400 naming objects.
  const over = await put(id, boxes(many(1001)));
  assert.equal(over.status, 400, over.text.slice(0, 200));
  assert.equal(over.json.error.code, 'too_many');
  assert.match(over.json.error.message, /"payload\.objects"/);
  // 1000 boxes is the limit, and fits.
  const full = await put(assets[4].id, boxes(many(1000)));
  assert.equal(full.status, 200, full.text.slice(0, 300));
  assert.equal(full.json.payload.objects.length, 1000);
  assert.equal(new Set(full.json.payload.objects.map((o) => o.id)).size, 1000);
  // Nothing was written for the refused ones.
  assert.equal((await get(id)).json.revision, 0);
  assert.equal(await sql(`SELECT count(*) FROM annotation_history WHERE asset_id = ${id}`), '0');
});

test('disabled and deleted categories are refused in boxes', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'B2', task_type: 'detection' } })).json;
  const [a, b] = [
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'a' } })).json,
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'b' } })).json,
  ];
  const [img] = await uploadPngs(srv, token, p.id, 1, { start: 990, w: W, h: H });
  const d = await srv.req('PATCH', `/api/v1/projects/${p.id}/categories/${a.id}`, { token, body: { state: 'disabled' } });
  assert.equal(d.status, 200, d.text);
  const r = await put(img.id, boxes([{ category_id: b.id, bbox: [0, 0, 1, 1] }, { category_id: a.id, bbox: [0, 0, 1, 1] }]));
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'category_disabled');
  assert.equal((await get(img.id)).json.revision, 0);
});

test('bulk review and stats work for boxes: images and objects per category', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'B3', task_type: 'detection' } })).json;
  const [a, b] = [
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'a' } })).json,
    (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'b' } })).json,
  ];
  const imgs = await uploadPngs(srv, token, p.id, 4, { start: 950, w: W, h: H });
  const box = (c) => ({ category_id: c, bbox: [0, 0, 4, 4] });
  assert.equal((await put(imgs[0].id, boxes([box(a.id), box(a.id), box(b.id)]))).status, 200);
  assert.equal((await put(imgs[1].id, boxes([box(a.id)]))).status, 200);
  assert.equal((await put(imgs[2].id, boxes([]))).status, 200);
  const st = (await srv.req('GET', `/api/v1/projects/${p.id}/stats`, { token })).json;
  const of = (id) => st.per_category.find((k) => k.category_id === id);
  assert.equal(of(a.id).count, 2);
  assert.equal(of(a.id).objects, 3);
  assert.equal(of(b.id).count, 1);
  assert.equal(of(b.id).objects, 1);
  assert.equal(st.counts.labeled, 3);
  assert.equal(st.counts.unlabeled, 1);
  // Approve everything labeled, "no objects" included.
  const bulk = await srv.req('POST', `/api/v1/projects/${p.id}/annotations/bulk`, { token, body: { action: 'approve', filter: { status: 'labeled' } } });
  assert.equal(bulk.status, 200, bulk.text);
  const st2 = (await srv.req('GET', `/api/v1/projects/${p.id}/stats`, { token })).json;
  assert.equal(st2.counts.approved, 3);
  assert.equal(st2.per_category.find((k) => k.category_id === a.id).objects, 3);
  // The category filter matches images with at least one object of it.
  const list = await srv.req('GET', `/api/v1/projects/${p.id}/assets?category_id=${b.id}`, { token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.assets.map((x) => x.id), [imgs[0].id]);
  const g = await get(imgs[0].id);
  assert.equal(g.json.status, 'approved');
  assert.equal(g.json.payload.objects.length, 3);
});

// VmHWM: the most memory the server ever held, in MB.
async function peakMb() {
  const status = await readFile(`/proc/${srv.proc.pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)[1]) / 1024;
}

test('100,000 boxes in one request: 400 naming objects, nothing stored, memory bounded', async () => {
  const id = assets[5].id;
  const c = cats[0].id;
  const objects = Array.from({ length: 100000 }, (_, i) => ({ id: `b${i}`, category_id: c, bbox: [0, 0, 1, 1] }));
  const before = await peakMb();
  for (const [body, field] of [[boxes(objects), 'payload.objects'], [{ type: 'boxes', objects }, 'objects']]) {
    const r = await put(id, body);
    assert.equal(r.status, 400, r.text.slice(0, 200));
    assert.equal(r.json.error.code, 'too_many');
    assert.ok(r.json.error.message.includes(`"${field}" holds 100000 items`), r.json.error.message);
  }
  // The body (6 MB) is read, then judged without building its tree.
  const after = await peakMb();
  const grown = after - before;
  console.log(`# peak RSS ${after.toFixed(0)} MB, grown by ${grown.toFixed(1)} MB for 100,000 boxes`);
  if (!SANITIZED) assert.ok(grown < 48, `peak RSS grew by ${grown.toFixed(0)} MB`);
  const g = await get(id);
  assert.equal(g.json.revision, 0);
  assert.equal(g.json.payload, null);
  assert.equal(await sql(`SELECT count(*) FROM annotation_history WHERE asset_id = ${id}`), '0');
  // Past 16 MiB the body is not read: 413.
  const big = await srv.req('PUT', `/api/v1/assets/${id}/annotation`, {
    token, body: `{"payload":{"type":"boxes","objects":[]},"pad":"${'x'.repeat(17 << 20)}"}`,
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(big.status, 413);
  assert.equal(big.json.error.code, 'body_too_large');
});
