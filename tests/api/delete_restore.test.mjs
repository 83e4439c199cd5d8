// Delete and restore. A deleted asset leaves lists, counts, stats and new
// exports, answers 404, and comes back with its labels; a ready version that
// holds it still verifies. A deleted category comes back with its id, its
// labels and its name (unless a live category took the name meanwhile), last
// in the display order. Only managers delete and restore; the project history
// records who did.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { waitExport, verifyExport } from '../lib/exports.mjs';

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

async function assetIds(project, q = '') {
  const r = await as('mia', 'GET', `/api/v1/projects/${project}/assets${q}`);
  assert.equal(r.status, 200, r.text);
  return { ids: r.json.assets.map((a) => a.id), counts: r.json.counts };
}

async function exportReady(project) {
  const r = await as('mia', 'POST', `/api/v1/projects/${project}/exports`, { statuses: ['labeled'] });
  assert.equal(r.status, 202, r.text);
  const ex = await waitExport(srv, tok.mia, r.json.id);
  assert.equal(ex.state, 'ready', JSON.stringify(ex));
  return ex;
}

test('a deleted asset leaves lists, counts, stats and new exports; restored, it comes back labeled', async () => {
  const p = (await as('mia', 'POST', '/api/v1/projects', { name: 'Cats' })).json;
  const lee = (await as('lee', 'GET', '/api/v1/me')).json.id;
  await as('mia', 'PUT', `/api/v1/projects/${p.id}/members/${lee}`, { role: 'reviewer' });
  const tabby = (await as('mia', 'POST', `/api/v1/projects/${p.id}/categories`, { name: 'tabby' })).json;
  const assets = await uploadPngs(srv, tok.mia, p.id, 4, { start: 100 });
  for (const a of assets.slice(0, 3)) {
    const r = await as('mia', 'PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [tabby.id] });
    assert.equal(r.status, 200, r.text);
  }
  const v1 = await exportReady(p.id);
  assert.equal(v1.counts.images, 3);
  const gone = assets[0];

  // Reviewers may not delete.
  const denied = await as('lee', 'DELETE', `/api/v1/assets/${gone.id}`);
  assert.equal(denied.status, 403, denied.text);

  const del = await as('mia', 'DELETE', `/api/v1/assets/${gone.id}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await as('mia', 'DELETE', `/api/v1/assets/${gone.id}`)).status, 204, 'deleting twice is fine');

  const all = await assetIds(p.id);
  assert.deepEqual(all.ids, assets.slice(1).map((a) => a.id));
  assert.equal(all.counts.all, 3);
  assert.equal(all.counts.in_review, 2);
  assert.ok(!(await assetIds(p.id, '?status=in_review')).ids.includes(gone.id));
  assert.ok(!(await assetIds(p.id, `?category_id=${tabby.id}`)).ids.includes(gone.id));
  const stats = (await as('mia', 'GET', `/api/v1/projects/${p.id}/stats`)).json;
  assert.equal(stats.counts.total, 3);
  assert.equal(stats.counts.labeled, 2);
  for (const path of ['', '/file', '/thumbnail', '/annotation']) {
    const r = await as('mia', 'GET', `/api/v1/assets/${gone.id}${path}`);
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.equal(r.json.error.code, 'asset_not_found', path);
  }
  const write = await as('mia', 'PUT', `/api/v1/assets/${gone.id}/annotation`, { category_ids: [tabby.id] });
  assert.equal(write.status, 404, write.text);

  // A new export leaves it out; the version made before still verifies.
  const v2 = await exportReady(p.id);
  assert.equal(v2.counts.images, 2);
  const ann2 = JSON.parse(await readFile(join(srv.dataDir, 'exports', String(p.id), String(v2.version), 'annotations.json'), 'utf8'));
  assert.ok(!JSON.stringify(ann2).includes(gone.file_name), 'the deleted image is not in the new version');
  const v = await verifyExport(join(srv.dataDir, 'exports', String(p.id), String(v1.version)));
  assert.equal(v.code, 0, v.out);
  assert.equal((await as('mia', 'GET', `/api/v1/exports/${v1.id}`)).json.counts.images, 3);

  // Restored: back in the lists with its label and revision.
  const back = await as('mia', 'POST', `/api/v1/assets/${gone.id}/restore`);
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.id, gone.id);
  assert.deepEqual(back.json.annotation.category_ids, [tabby.id]);
  assert.equal(back.json.annotation.status, 'labeled');
  const after = await assetIds(p.id);
  assert.deepEqual(after.ids, assets.map((a) => a.id));
  assert.equal(after.counts.all, 4);
  assert.equal(after.counts.in_review, 3);
  assert.equal((await as('mia', 'GET', `/api/v1/assets/${gone.id}/file`)).status, 200);

  const h = (await as('mia', 'GET', `/api/v1/projects/${p.id}/history?limit=2`)).json.history;
  assert.deepEqual(h.map((e) => [e.action, e.by, e.detail]), [
    ['asset.restore', 'mia', { asset_id: gone.id, file_name: gone.file_name }],
    ['asset.delete', 'mia', { asset_id: gone.id, file_name: gone.file_name }],
  ]);
  assert.equal((await as('lee', 'POST', `/api/v1/assets/${gone.id}/restore`)).status, 403);
  assert.equal((await as('mia', 'POST', '/api/v1/assets/999999/restore')).status, 404);
});

test('uploading the bytes of a deleted asset again brings it back', async () => {
  const p = (await as('mia', 'POST', '/api/v1/projects', { name: 'Dogs' })).json;
  const [a] = await uploadPngs(srv, tok.mia, p.id, 1, { start: 300 });
  assert.equal((await as('mia', 'DELETE', `/api/v1/assets/${a.id}`)).status, 204);
  assert.deepEqual((await assetIds(p.id)).ids, []);
  const [again] = await uploadPngs(srv, tok.mia, p.id, 1, { start: 300 });
  assert.equal(again.id, a.id);
  assert.deepEqual((await assetIds(p.id)).ids, [a.id]);
});

test('deleting an export version removes its files, keeps its row and hash; a version sharing its files still verifies', async () => {
  const p = (await as('mia', 'POST', '/api/v1/projects', { name: 'Fish' })).json;
  const lee = (await as('lee', 'GET', '/api/v1/me')).json.id;
  await as('mia', 'PUT', `/api/v1/projects/${p.id}/members/${lee}`, { role: 'reviewer' });
  const carp = (await as('mia', 'POST', `/api/v1/projects/${p.id}/categories`, { name: 'carp' })).json;
  for (const a of await uploadPngs(srv, tok.mia, p.id, 3, { start: 500 })) {
    await as('mia', 'PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [carp.id] });
  }
  const dir = (ex) => join(srv.dataDir, 'exports', String(p.id), String(ex.version));
  const v1 = await exportReady(p.id);
  const v2 = await exportReady(p.id);
  assert.equal(v2.shares_files_with_version, v1.version, 'the identical version shares the files of the first');

  assert.equal((await as('lee', 'DELETE', `/api/v1/exports/${v1.id}`)).status, 403);
  const del = await as('mia', 'DELETE', `/api/v1/exports/${v1.id}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await as('mia', 'DELETE', `/api/v1/exports/${v1.id}`)).status, 204, 'deleting twice is fine');
  await assert.rejects(stat(dir(v1)), { code: 'ENOENT' });
  await assert.rejects(stat(`${dir(v1)}.zip`), { code: 'ENOENT' });

  // The row stays, with its hash; the list leaves it out; its download is gone.
  const row = await as('mia', 'GET', `/api/v1/exports/${v1.id}`);
  assert.equal(row.status, 200);
  assert.equal(row.json.hash, v1.hash);
  assert.match(row.json.deleted_at, /^\d{4}-/);
  assert.equal(v2.deleted_at, null);
  const list = (await as('mia', 'GET', `/api/v1/projects/${p.id}/exports`)).json.exports.map((e) => e.version);
  assert.deepEqual(list, [v2.version]);
  const dl = await as('mia', 'GET', `/api/v1/exports/${v1.id}/download`);
  assert.equal(dl.status, 410, dl.text);
  assert.equal(dl.json.error.code, 'export_deleted');

  // The version that shared its files keeps working: folder, zip and download.
  assert.equal((await verifyExport(dir(v2))).code, 0);
  const zip2 = await fetch(`${srv.url}/api/v1/exports/${v2.id}/download`, { headers: { authorization: `Bearer ${tok.mia}` } });
  assert.equal(zip2.status, 200);
  const zpath = join(srv.dataDir, `v2-${Date.now()}.zip`);
  await writeFile(zpath, Buffer.from(await zip2.arrayBuffer()));
  const vz = await verifyExport(zpath);
  assert.equal(vz.code, 0, vz.out);

  // A new identical version still names the deleted one, but copies its own files.
  const v3 = await exportReady(p.id);
  assert.equal(v3.identical_to_version, v1.version);
  assert.equal(v3.shares_files_with_version, null);
  assert.equal((await verifyExport(dir(v3))).code, 0);

  const h = (await as('mia', 'GET', `/api/v1/projects/${p.id}/history?limit=1`)).json.history;
  assert.deepEqual([h[0].action, h[0].by, h[0].detail], ['export.delete', 'mia', { export_id: v1.id, version: v1.version }]);
  assert.equal((await as('mia', 'DELETE', '/api/v1/exports/999999')).status, 404);
});

test('a deleted project leaves the lists and answers 404 everywhere but restore; restored, nothing is lost', async () => {
  const p = (await as('mia', 'POST', '/api/v1/projects', { name: 'Moths' })).json;
  const lee = (await as('lee', 'GET', '/api/v1/me')).json.id;
  await as('mia', 'PUT', `/api/v1/projects/${p.id}/members/${lee}`, { role: 'reviewer' });
  const moth = (await as('mia', 'POST', `/api/v1/projects/${p.id}/categories`, { name: 'moth' })).json;
  const assets = await uploadPngs(srv, tok.mia, p.id, 2, { start: 700 });
  for (const a of assets) await as('mia', 'PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [moth.id] });
  const v1 = await exportReady(p.id);
  const dir = join(srv.dataDir, 'exports', String(p.id), String(v1.version));
  const listed = async (who, q = '') =>
    (await as(who, 'GET', `/api/v1/projects${q}`)).json.projects.map((x) => x.id).includes(p.id);

  // A reviewer may not delete it; a manager may.
  const denied = await as('lee', 'DELETE', `/api/v1/projects/${p.id}`);
  assert.equal(denied.status, 403, denied.text);
  assert.equal(denied.json.error.code, 'forbidden');
  const del = await as('mia', 'DELETE', `/api/v1/projects/${p.id}`);
  assert.equal(del.status, 204, del.text);
  assert.equal((await as('mia', 'DELETE', `/api/v1/projects/${p.id}`)).status, 404, 'a deleted project is not found');

  // Out of every list; its routes, and those of its assets and exports, are 404.
  for (const who of ['mia', 'lee', 'admin']) assert.equal(await listed(who), false, who);
  for (const [who, path] of [
    ['mia', `/api/v1/projects/${p.id}`],
    ['mia', `/api/v1/projects/${p.id}/assets`],
    ['admin', `/api/v1/projects/${p.id}/categories`],
    ['mia', `/api/v1/assets/${assets[0].id}`],
    ['mia', `/api/v1/exports/${v1.id}`],
  ]) {
    const r = await as(who, 'GET', path);
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.match(r.json.error.code, /^(project|asset|export)_not_found$/);
  }
  // The deleted list: the admin sees it, its manager too, a reviewer not.
  assert.equal(await listed('admin', '?deleted=true'), true);
  assert.equal(await listed('mia', '?deleted=true'), true);
  assert.equal(await listed('lee', '?deleted=true'), false);
  const dl = (await as('mia', 'GET', '/api/v1/projects?deleted=true')).json.projects.find((x) => x.id === p.id);
  assert.match(dl.deleted_at, /^\d{4}-/);
  assert.equal(dl.role, 'manager');
  const bad = await as('mia', 'GET', '/api/v1/projects?deleted=maybe');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'invalid_parameter');

  // Its files stay: the ready version still verifies.
  assert.equal((await verifyExport(dir)).code, 0);

  // A reviewer cannot restore it; its manager can.
  assert.equal((await as('lee', 'POST', `/api/v1/projects/${p.id}/restore`)).status, 403);
  const r = await as('mia', 'POST', `/api/v1/projects/${p.id}/restore`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, p.id);
  assert.equal(r.json.name, 'Moths');
  assert.equal(r.json.role, 'manager');
  assert.equal(r.json.deleted_at, undefined);
  assert.equal((await as('mia', 'POST', `/api/v1/projects/${p.id}/restore`)).status, 200, 'restoring twice is fine');
  for (const who of ['mia', 'lee', 'admin']) assert.equal(await listed(who), true, who);
  assert.equal(await listed('mia', '?deleted=true'), false);

  // Everything is back as it was: assets, labels, members, the export version.
  const back = await assetIds(p.id);
  assert.deepEqual(back.ids, assets.map((a) => a.id));
  assert.equal(back.counts.labeled, 2);
  const ex = await as('mia', 'GET', `/api/v1/exports/${v1.id}`);
  assert.equal(ex.status, 200);
  assert.equal(ex.json.hash, v1.hash);
  assert.equal((await as('lee', 'GET', `/api/v1/projects/${p.id}`)).json.role, 'reviewer');

  const h = (await as('mia', 'GET', `/api/v1/projects/${p.id}/history?limit=2`)).json.history;
  assert.deepEqual(h.map((e) => [e.action, e.by, e.detail]), [
    ['project.restore', 'mia', { name: 'Moths' }],
    ['project.delete', 'mia', { name: 'Moths' }],
  ]);
  assert.equal((await as('mia', 'DELETE', '/api/v1/projects/999999')).status, 404);
  assert.equal((await as('mia', 'POST', '/api/v1/projects/999999/restore')).status, 404);
});

test('deleting a user disables them, restoring enables them; never the last admin; admins only', async () => {
  tok.zed = await srv.addUser('zed');
  const zed = (await as('zed', 'GET', '/api/v1/me')).json.id;
  const me = (await as('admin', 'GET', '/api/v1/me')).json.id;

  assert.equal((await as('mia', 'DELETE', `/api/v1/users/${zed}`)).status, 403);
  const d = await as('admin', 'DELETE', `/api/v1/users/${zed}`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.id, zed);
  assert.equal(d.json.disabled, true);
  assert.equal((await as('zed', 'GET', '/api/v1/me')).status, 401, 'their token is revoked');
  const u = (await as('admin', 'GET', '/api/v1/users')).json.users.find((x) => x.id === zed);
  assert.equal(u.disabled, true, 'the user stays listed, disabled');

  const r = await as('admin', 'POST', `/api/v1/users/${zed}/restore`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.disabled, false);
  assert.equal((await srv.req('POST', '/api/v1/auth/login', { body: { name: 'zed', password: 'password123' } })).status, 200);

  const last = await as('admin', 'DELETE', `/api/v1/users/${me}`);
  assert.equal(last.status, 409, last.text);
  assert.equal(last.json.error.code, 'last_admin');
  assert.equal((await as('admin', 'DELETE', '/api/v1/users/999999')).status, 404);
  assert.equal((await as('admin', 'POST', '/api/v1/users/999999/restore')).status, 404);
});
