// Delete and restore: a deleted category comes back with its id, its labels
// and its name (unless a live category took the name meanwhile), last in the
// display order; only a manager restores, and the history records who did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let srv, admin, pid;
const tok = {};
const as = (who, method, path, body) => srv.req(method, path, { token: tok[who] || who, body });

before(async () => {
  ({ srv, token: admin } = await startWithAdmin());
  tok.admin = admin;
  for (const n of ['mia', 'lee']) tok[n] = await srv.addUser(n);
  const p = await as('mia', 'POST', '/api/v1/projects', { name: 'Birds' });
  assert.equal(p.status, 201);
  pid = p.json.id;
  const leeId = (await as('lee', 'GET', '/api/v1/me')).json.id;
  const m = await as('mia', 'PUT', `/api/v1/projects/${pid}/members/${leeId}`, { role: 'reviewer' });
  assert.ok(m.status === 200 || m.status === 201, m.text);
});
after(async () => { await srv.close(); });

const catList = async (q = '') =>
  (await as('mia', 'GET', `/api/v1/projects/${pid}/categories${q}`)).json.categories.map((c) => `${c.id}:${c.name}:${c.state}`);

test('a deleted category is restored with its id, its labels, last in the order', async () => {
  const made = [];
  for (const name of ['owl', 'hawk', 'crow']) {
    made.push((await as('mia', 'POST', `/api/v1/projects/${pid}/categories`, { name })).json);
  }
  const [owl, hawk, crow] = made;
  const [a] = await uploadPngs(srv, tok.mia, pid, 1);
  const put = await as('mia', 'PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [owl.id] });
  assert.equal(put.status, 200, put.text);

  assert.equal((await as('mia', 'DELETE', `/api/v1/projects/${pid}/categories/${owl.id}`)).json.state, 'deleted');
  assert.deepEqual(await catList(), [`${hawk.id}:hawk:active`, `${crow.id}:crow:active`]);
  const stats1 = (await as('mia', 'GET', `/api/v1/projects/${pid}/stats`)).json;
  assert.equal(stats1.issues.deleted_category, 1);

  // Only a manager restores; a reviewer is refused and nothing changes.
  const denied = await as('lee', 'POST', `/api/v1/projects/${pid}/categories/${owl.id}/restore`);
  assert.equal(denied.status, 403, denied.text);
  assert.equal(denied.json.error.code, 'forbidden');

  const r = await as('mia', 'POST', `/api/v1/projects/${pid}/categories/${owl.id}/restore`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, owl.id);
  assert.equal(r.json.name, 'owl');
  assert.equal(r.json.state, 'active');
  assert.deepEqual(await catList(), [`${hawk.id}:hawk:active`, `${crow.id}:crow:active`, `${owl.id}:owl:active`]);
  const ann = (await as('mia', 'GET', `/api/v1/assets/${a.id}/annotation`)).json;
  assert.deepEqual(ann.category_ids, [owl.id]);
  const stats2 = (await as('mia', 'GET', `/api/v1/projects/${pid}/stats`)).json;
  assert.equal(stats2.issues.deleted_category, 0);

  // Restoring a live category changes nothing (no second history entry).
  const again = await as('mia', 'POST', `/api/v1/projects/${pid}/categories/${owl.id}/restore`);
  assert.equal(again.status, 200);
  assert.deepEqual(again.json, r.json);

  const h = (await as('mia', 'GET', `/api/v1/projects/${pid}/history?limit=3`)).json.history;
  assert.deepEqual(h.slice(0, 2).map((e) => [e.action, e.by, e.detail]), [
    ['category.restore', 'mia', { category_id: owl.id, name: 'owl' }],
    ['category.delete', 'mia', { category_id: owl.id, name: 'owl' }],
  ]);
});

test('a category whose name was taken meanwhile is not restored (409 name_taken)', async () => {
  const gull = (await as('mia', 'POST', `/api/v1/projects/${pid}/categories`, { name: 'gull' })).json;
  await as('mia', 'DELETE', `/api/v1/projects/${pid}/categories/${gull.id}`);
  const gull2 = (await as('mia', 'POST', `/api/v1/projects/${pid}/categories`, { name: 'Gull' })).json;
  assert.notEqual(gull2.id, gull.id);
  const r = await as('mia', 'POST', `/api/v1/projects/${pid}/categories/${gull.id}/restore`);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'name_taken');
  assert.match(r.json.error.message, new RegExp(`\\(id ${gull2.id}\\)`));
  const still = (await catList('?include_deleted=true')).filter((c) => c.startsWith(`${gull.id}:`));
  assert.deepEqual(still, [`${gull.id}:gull:deleted`]);
  // Renaming the newer one frees the name.
  await as('mia', 'PATCH', `/api/v1/projects/${pid}/categories/${gull2.id}`, { name: 'tern' });
  const ok = await as('mia', 'POST', `/api/v1/projects/${pid}/categories/${gull.id}/restore`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.state, 'active');
});

test('restoring an unknown category or in another project is 404', async () => {
  const r = await as('mia', 'POST', `/api/v1/projects/${pid}/categories/9999/restore`);
  assert.equal(r.status, 404, r.text);
  const other = (await as('admin', 'POST', '/api/v1/projects', { name: 'Other' })).json;
  const r2 = await as('mia', 'POST', `/api/v1/projects/${other.id}/categories/1/restore`);
  assert.equal(r2.status, 404, r2.text);
});
