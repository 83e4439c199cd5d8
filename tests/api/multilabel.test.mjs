// Multi-label projects over HTTP: one or more categories per image, the
// explicit answer "none of these" (category_ids []), and review, history
// and stats working as for single-label projects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createProject, startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let srv, token, pid, cats, assets;

const put = (id, body) => srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body });
const get = (id) => srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
const cls = (ids) => ({ payload: { type: 'classification', category_ids: ids } });

before(async () => {
  ({ srv, token } = await startWithAdmin());
  const made = await createProject(srv, token, 'Multi', ['sky', 'sea', 'sand', 'tree'], 'classification_multi');
  pid = made.pid;
  cats = made.cats.map((c) => c.id);
  assets = await uploadPngs(srv, token, pid, 8, { start: 700 });
});
after(async () => { await srv.close(); });

test('one or more categories per image, sorted, with revisions and history', async () => {
  const id = assets[0].id;
  const r = await put(id, cls([cats[2], cats[0]]));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.category_ids, [cats[0], cats[2]]);
  assert.deepEqual(r.json.payload, { type: 'classification', category_ids: [cats[0], cats[2]] });
  // The same set in another order is a repeat.
  const again = await put(id, cls([cats[0], cats[2]]));
  assert.equal(again.json.revision, 1);
  const r2 = await put(id, { ...cls([cats[1]]), revision: 1 });
  assert.equal(r2.status, 200);
  assert.equal(r2.json.revision, 2);
  const h = (await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token })).json.history;
  assert.deepEqual(h.map((e) => e.to.category_ids), [[cats[0], cats[2]], [cats[1]]]);
  assert.equal((await get(id)).json.project_id ?? pid, pid);
});

test('"none of these" is an explicit answer: category_ids [] labels the image', async () => {
  const id = assets[1].id;
  const r = await put(id, cls([]));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'labeled');
  assert.deepEqual(r.json.payload, { type: 'classification', category_ids: [] });
  assert.equal((await put(id, cls([]))).json.revision, 1); // a repeat
  const ap = await put(id, { status: 'approved' });
  assert.equal(ap.status, 200, ap.text);
  assert.equal(ap.json.status, 'approved');
  // Unlabeling clears it: no content, different from "none of these".
  const un = await put(id, { status: 'unlabeled' });
  assert.equal(un.json.payload, null);
  assert.equal((await put(id, { status: 'approved' })).status, 409);
});

test('bad category lists are refused and write nothing', async () => {
  const id = assets[2].id;
  const cases = [
    [cls([cats[0], cats[0]]), 400, 'duplicate_category'],
    [cls([987654]), 400, 'unknown_category'],
    [cls([0]), 400, 'invalid_field'],
    [{ payload: { type: 'boxes', objects: [] } }, 400, 'payload_type_mismatch'],
  ];
  for (const [body, status, code] of cases) {
    const r = await put(id, body);
    assert.equal(r.status, status, r.text);
    assert.equal(r.json.error.code, code);
  }
  const d = await srv.req('PATCH', `/api/v1/projects/${pid}/categories/${cats[3]}`, { token, body: { state: 'disabled' } });
  assert.equal(d.status, 200);
  const r = await put(id, cls([cats[0], cats[3]]));
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'category_disabled');
  assert.equal((await get(id)).json.revision, 0);
});

test('stats count images per category; bulk review covers "none of these"', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'M2', task_type: 'classification_multi' } })).json;
  const a = (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'a' } })).json.id;
  const b = (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'b' } })).json.id;
  const imgs = await uploadPngs(srv, token, p.id, 3, { start: 780 });
  await put(imgs[0].id, cls([a, b]));
  await put(imgs[1].id, cls([a]));
  await put(imgs[2].id, cls([]));
  const st = (await srv.req('GET', `/api/v1/projects/${p.id}/stats`, { token })).json;
  assert.equal(st.per_category.find((k) => k.category_id === a).count, 2);
  assert.equal(st.per_category.find((k) => k.category_id === b).count, 1);
  assert.equal(st.per_category.find((k) => k.category_id === a).objects, 0);
  assert.equal(st.counts.labeled, 3);
  const bulk = await srv.req('POST', `/api/v1/projects/${p.id}/annotations/bulk`, { token, body: { action: 'approve', filter: { status: 'all' } } });
  assert.equal(bulk.status, 200, bulk.text);
  assert.equal((await srv.req('GET', `/api/v1/projects/${p.id}/stats`, { token })).json.counts.approved, 3);
});
