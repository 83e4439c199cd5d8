// Queue leases: the next images of a filter are leased to whoever asked,
// so two labelers on one filter never get the same image; a lease ends on
// skip, on logout, on release or when it expires, and writes renew it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let srv, pid, cat, assets;
const tok = {};
const as = (who, method, path, body) => srv.req(method, path, { token: tok[who] || who, body });
const next = (who, body = {}) => as(who, 'POST', `/api/v1/projects/${pid}/queue/next`, body);
const ids = (r) => r.json.assets.map((a) => a.id);

before(async () => {
  let admin;
  ({ srv, token: admin } = await startWithAdmin());
  tok.admin = admin;
  for (const n of ['ann', 'ben', 'cid']) tok[n] = await srv.addUser(n);
  const p = await as('admin', 'POST', '/api/v1/projects', { name: 'Queue' });
  pid = p.json.id;
  for (const n of ['ann', 'ben']) {
    const id = (await as(n, 'GET', '/api/v1/me')).json.id;
    const m = await as('admin', 'PUT', `/api/v1/projects/${pid}/members/${id}`, { role: 'labeler' });
    assert.ok(m.status === 200 || m.status === 201, m.text);
  }
  cat = (await as('admin', 'POST', `/api/v1/projects/${pid}/categories`, { name: 'a' })).json;
  assets = await uploadPngs(srv, tok.admin, pid, 12, { start: 900 });
});
after(async () => { await srv.close(); });

test('two labelers on one filter get disjoint batches, asked for at the same time', async () => {
  const [a, b] = await Promise.all([next('ann', { limit: 5 }), next('ben', { limit: 5 })]);
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 200, b.text);
  assert.equal(a.json.assets.length, 5);
  assert.equal(b.json.assets.length, 5);
  assert.match(a.json.leased_until, /^\d{4}-/);
  const both = new Set([...ids(a), ...ids(b)]);
  assert.equal(both.size, 10, 'no image in both batches');
  // Asking again gives the same images back (still theirs), not new ones.
  assert.deepEqual(ids(await next('ann', { limit: 5 })), ids(a));
  // The third gets what is left.
  const c = await next('admin', { limit: 5 });
  assert.deepEqual(ids(c).sort((x, y) => x - y), assets.map((x) => x.id).filter((id) => !both.has(id)));
  await as('ann', 'POST', `/api/v1/projects/${pid}/queue/release`, {});
  await as('ben', 'POST', `/api/v1/projects/${pid}/queue/release`, {});
  await as('admin', 'POST', `/api/v1/projects/${pid}/queue/release`, {});
});

test('a skip releases the image; a label takes it out of the filter; release frees the rest', async () => {
  const a = ids(await next('ann', { limit: 3 }));
  const skip = await as('ann', 'PUT', `/api/v1/assets/${a[0]}/annotation`, { status: 'skipped' });
  assert.equal(skip.status, 200, skip.text);
  const lab = await as('ann', 'PUT', `/api/v1/assets/${a[1]}/annotation`, { category_ids: [cat.id] });
  assert.equal(lab.status, 200, lab.text);
  // The skipped image is free on the skipped filter; the labeled one left unlabeled.
  assert.ok(ids(await next('ben', { status: 'skipped', limit: 10 })).includes(a[0]));
  const b = ids(await next('ben', { limit: 20 }));
  assert.ok(!b.includes(a[1]) && !b.includes(a[2]), 'ann still holds the third');
  await as('ann', 'POST', `/api/v1/projects/${pid}/queue/release`, { asset_id: a[2] });
  assert.ok(ids(await next('ben', { limit: 20 })).includes(a[2]));
  await as('ben', 'POST', `/api/v1/projects/${pid}/queue/release`, {});
});

test('a lease expires; logging out ends them', async () => {
  const a = ids(await next('ann', { limit: 2, lease_seconds: 1 }));
  assert.ok(!ids(await next('ben', { limit: 20 })).some((id) => a.includes(id)));
  await new Promise((r) => setTimeout(r, 1100));
  const after = ids(await next('ben', { limit: 20 }));
  assert.ok(a.every((id) => after.includes(id)), 'expired leases are free again');
  await as('ben', 'POST', `/api/v1/projects/${pid}/queue/release`, {});

  // A session's logout releases its leases.
  const login = await srv.req('POST', '/api/v1/auth/login', { body: { name: 'ann', password: 'password123' } });
  assert.equal(login.status, 200, login.text);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const withCookie = (method, path, body) => srv.req(method, path, { body, headers: { cookie, origin: srv.url } });
  const held = (await withCookie('POST', `/api/v1/projects/${pid}/queue/next`, { limit: 2 })).json.assets.map((x) => x.id);
  assert.equal(held.length, 2);
  assert.ok(!ids(await next('ben', { limit: 20 })).some((id) => held.includes(id)));
  const out = await withCookie('POST', '/api/v1/auth/logout', {});
  assert.equal(out.status, 204, out.text);
  const freed = ids(await next('ben', { limit: 20 }));
  assert.ok(held.every((id) => freed.includes(id)), 'released at logout');
});

test('bad queue requests get clear 400s, non-members 404', async () => {
  for (const [body, code] of [[{ status: 'all' }, 'invalid_status'], [{ limit: 0 }, 'invalid_field'],
    [{ limit: 101 }, 'invalid_field'], [{ lease_seconds: 0 }, 'invalid_field'], [{ colour: 1 }, 'unknown_field']]) {
    const r = await next('ann', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
  }
  assert.equal((await next('cid')).status, 404);
});
