// Two server processes on one PostgreSQL database and one data folder, as
// behind a load balancer: a session made on one works on the other, a
// write on one is seen on the other with its revision, concurrent writers
// in both get exact 409s, ids are never given twice, and every job is done
// exactly once, also when the process that took it dies (its lease runs
// out and the other process takes the job over). Runs with the PostgreSQL
// backend only (make test-api-pg); SQLite is one process by design.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin, startServer, PG } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { waitExport } from '../lib/exports.mjs';

const skip = !PG && 'needs the PostgreSQL backend (TESSERA_TEST_DB=postgres)';
// A short lease, so a job of a dead process is taken over within seconds.
const env = { TESSERA_JOB_LEASE_MS: '1500' };
let a, b, token, pid, cats, assets;

const until = async (what, fn, ms = 15000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

before(async () => {
  if (skip) return;
  ({ srv: a, token } = await startWithAdmin({ env }));
  b = await startServer({ dataDir: a.dataDir, dbUrl: a.dbUrl, keepData: true, env });
  const p = await a.req('POST', '/api/v1/projects', { token, body: { name: 'Shared' } });
  pid = p.json.id;
  cats = [];
  for (const name of ['cat', 'dog', 'bird', 'fish', 'frog', 'mole', 'newt', 'wolf']) {
    cats.push((await b.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json.id);
  }
  assets = await uploadPngs(a, token, pid, 12);
});

after(async () => {
  if (skip) return;
  await b?.close();
  await a?.close();
});

test('a session made on one process works on the other, and logging out on it ends it on both', { skip }, async () => {
  await a.addUser('alice', { password: 'correct horse' });
  const login = await a.req('POST', '/api/v1/auth/login', { body: { name: 'alice', password: 'correct horse' } });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const me = await b.req('GET', '/api/v1/me', { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.json.name, 'alice');
  assert.equal((await b.req('POST', '/api/v1/auth/logout', { headers: { cookie } })).status, 204);
  assert.equal((await a.req('GET', '/api/v1/me', { headers: { cookie } })).status, 401);
});

test('an annotation written on one process is read on the other with its revision', { skip }, async () => {
  const id = assets[0].id;
  const w = await a.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: { category_ids: [cats[0]], revision: 0 } });
  assert.equal(w.status, 200, w.text);
  assert.equal(w.json.revision, 1);
  const r = await b.req('GET', `/api/v1/assets/${id}/annotation`, { token });
  assert.equal(r.json.revision, 1);
  assert.deepEqual(r.json.category_ids, [cats[0]]);
  const stale = await b.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: { category_ids: [cats[1]], revision: 0 } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'stale_revision');
});

test('concurrent writers in both processes: exactly one write per revision wins, every other gets 409', { skip }, async () => {
  for (const asset of assets.slice(1, 5)) {
    // 8 writers, 4 on each process, all from revision 0, each with its own answer
    const writes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).req(
      'PUT', `/api/v1/assets/${asset.id}/annotation`,
      { token, body: { category_ids: [cats[i]], revision: 0 } })));
    const ok = writes.filter((w) => w.status === 200);
    assert.equal(ok.length, 1, writes.map((w) => w.status).join(','));
    assert.ok(writes.every((w) => w.status === 200 || (w.status === 409 && w.json.error.code === 'stale_revision')));
    const now = await (ok[0] === writes[0] ? a : b).req('GET', `/api/v1/assets/${asset.id}/annotation`, { token });
    assert.equal(now.json.revision, 1);
    assert.deepEqual(now.json.category_ids, ok[0].json.category_ids);
    assert.equal(await a.sql(`SELECT count(*) FROM annotation_history WHERE asset_id = ${asset.id}`), '1');
  }
});

test('ids made at once in both processes are all distinct and never given twice', { skip }, async () => {
  const made = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).req(
    'POST', '/api/v1/projects', { token, body: { name: `P${i}` } })));
  assert.ok(made.every((r) => r.status === 201), made.map((r) => r.status).join(','));
  const ids = made.map((r) => r.json.id);
  assert.equal(new Set(ids).size, ids.length);
  // uploads in both processes at once: distinct asset ids above every earlier one
  const before = Math.max(...assets.map((x) => x.id));
  const [ua, ub] = await Promise.all([uploadPngs(a, token, pid, 6, { start: 100 }), uploadPngs(b, token, pid, 6, { start: 200 })]);
  const aids = [...ua, ...ub].map((x) => x.id);
  assert.equal(new Set(aids).size, 12);
  assert.ok(aids.every((id) => id > before));
});

test('every job is done exactly once, and a job of a dead process is taken over when its lease runs out', { skip }, async () => {
  // exports created on both processes: each built once
  const ex = await Promise.all([a, b, a, b].map((s) => s.req('POST', `/api/v1/projects/${pid}/exports`, { token, body: { statuses: ['labeled'] } })));
  assert.ok(ex.every((r) => r.status === 202), ex.map((r) => r.text).join('\n'));
  assert.equal(new Set(ex.map((r) => r.json.version)).size, 4, 'export versions stay distinct');
  for (const r of ex) assert.equal((await waitExport(b, token, r.json.id)).state, 'ready');
  await until('thumbnails', async () => (await a.sql("SELECT count(*) FROM jobs WHERE state <> 'done'")) === '0');
  assert.equal(await a.sql('SELECT count(*) FROM jobs WHERE attempts <> 1'), '0', 'no job ran twice');

  // a job left running by a process that died: its lease runs out, the
  // other process takes it over and does it
  const job = await a.sql(`SELECT id FROM jobs WHERE kind = 'thumbnail' ORDER BY id LIMIT 1`);
  await a.sql(`UPDATE jobs SET state = 'running', owner = 'gone/1/1', lease_until = ${Date.now() + 1000} WHERE id = ${job}`);
  await a.kill();
  await until('the job taken over', async () => (await b.sql(`SELECT state || ' ' || attempts FROM jobs WHERE id = ${job}`)) === 'done 2');
  await a.start();
});
