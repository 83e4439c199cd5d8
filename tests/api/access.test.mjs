// Access and accounts: project membership and roles (checked from the router
// table), 404 for non-members on every project-scoped route, reviewing one's
// own labels, disabled users, named/expiring/revocable tokens, logout
// everywhere, purged sessions, and the project history with its authors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, ROOT } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const run = promisify(execFile);
let srv, admin, dir;
const tok = {};  // name -> API token
const uid = {};  // name -> user id
let pid, cats, assets, exportId, videoId;

const as = (who, method, path, body) => srv.req(method, path, { token: tok[who] || who, body });

async function addUser(name) {
  tok[name] = await srv.addUser(name);
  uid[name] = (await as(name, 'GET', '/api/v1/me')).json.id;
}

function cookieOf(res) {
  const c = res.headers.get('set-cookie');
  assert.ok(c, 'a Set-Cookie header');
  return c.split(';')[0];
}

const login = (name) => srv.req('POST', '/api/v1/auth/login', { body: { name, password: 'password123' } });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-access-'));
  ({ srv, token: admin } = await startWithAdmin());
  tok.admin = admin;
  for (const n of ['alice', 'bob', 'carol', 'eve']) await addUser(n);
  // alice makes the project: she is its manager.
  const p = await as('alice', 'POST', '/api/v1/projects', { name: 'Team' });
  assert.equal(p.status, 201);
  assert.equal(p.json.role, 'manager');
  pid = p.json.id;
  cats = [];
  for (const name of ['cat', 'dog', 'bird']) {
    cats.push((await as('alice', 'POST', `/api/v1/projects/${pid}/categories`, { name })).json);
  }
  assets = await uploadPngs(srv, tok.alice, pid, 6);
  await as('alice', 'PUT', `/api/v1/assets/${assets[5].id}/annotation`, { category_ids: [cats[0].id] });
  const e = await as('alice', 'POST', `/api/v1/projects/${pid}/exports`, { statuses: ['labeled'] });
  assert.equal(e.status, 202, e.text);
  exportId = e.json.id;
  const mp4 = join(dir, 'v.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
    'color=red:s=32x32:r=5:d=1', '-pix_fmt', 'yuv420p', mp4]);
  const fd = new FormData();
  fd.append('fps', '1');
  fd.append('file', new Blob([await readFile(mp4)]), 'v.mp4');
  const v = await srv.req('POST', `/api/v1/projects/${pid}/videos`, { token: tok.alice, body: fd });
  assert.equal(v.status, 202, v.text);
  videoId = v.json.id;
  // bob labels, carol reviews; eve is not in the project.
  assert.equal((await as('alice', 'PUT', `/api/v1/projects/${pid}/members/${uid.bob}`, { role: 'labeler' })).status, 201);
  const c = await as('alice', 'POST', `/api/v1/projects/${pid}/members`, { name: 'Carol', role: 'reviewer' });
  assert.equal(c.status, 201);
  assert.equal(c.json.role, 'reviewer');
});
after(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

// Every route in server/http/*.c with its flags, as the router table has it.
async function serverRoutes() {
  const out = [];
  const d = join(ROOT, 'server', 'http');
  for (const f of (await readdir(d)).filter((n) => n.endsWith('.c'))) {
    const text = await readFile(join(d, f), 'utf8');
    for (const m of text.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)",\s*([^,]+),/g)) {
      const flags = m[3];
      const scope = (flags.match(/TS_ROUTE_IN_(PROJECT|ASSET|EXPORT|VIDEO)/) || [])[1];
      const role = (flags.match(/TS_ROUTE_(LABELER|REVIEWER|MANAGER)/) || [])[1];
      out.push({ method: m[1], pattern: m[2], scope: scope?.toLowerCase(), role: role?.toLowerCase() });
    }
  }
  return out;
}

test('a user sees only the projects they belong to, each with their role', async () => {
  const names = async (who) => (await as(who, 'GET', '/api/v1/projects')).json.projects.map((p) => [p.name, p.role]);
  await as('eve', 'POST', '/api/v1/projects', { name: 'Eve own' });
  assert.deepEqual(await names('eve'), [['Eve own', 'manager']]);
  assert.deepEqual(await names('bob'), [['Team', 'labeler']]);
  assert.deepEqual(await names('carol'), [['Team', 'reviewer']]);
  assert.deepEqual(await names('admin'), [['Eve own', 'admin'], ['Team', 'admin']]);
  const one = await as('bob', 'GET', `/api/v1/projects/${pid}`);
  assert.equal(one.json.role, 'labeler');
  assert.equal(one.json.settings.review_own_labels, true);
});

test('a non-member gets 404 on every project-scoped route, word for word as for an id that does not exist', async () => {
  const routes = await serverRoutes();
  const ids = { project: pid, asset: assets[0].id, export: exportId, video: videoId };
  const second = (pattern) => (pattern.includes('/categories/') ? cats[0].id : uid.bob);
  const membersBefore = (await as('alice', 'GET', `/api/v1/projects/${pid}/members`)).json;
  const historyBefore = (await as('alice', 'GET', `/api/v1/projects/${pid}/history`)).json.history.length;
  let checked = 0;
  for (const r of routes) {
    const scoped = /^\/api\/v1\/(projects|assets|exports|videos)\/\{id\}/.test(r.pattern);
    assert.equal(Boolean(r.scope), scoped, `${r.method} ${r.pattern} names its scope`);
    if (!scoped) continue;
    assert.ok(r.role, `${r.method} ${r.pattern} needs a role`);
    const fill = (first) => { let n = 0; return r.pattern.replace(/\{id\}/g, () => (n++ === 0 ? first : second(r.pattern))); };
    const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : { name: 'x', role: 'manager', order: [] };
    const res = await as('eve', r.method, fill(ids[r.scope]), body);
    assert.equal(res.status, 404, `${r.method} ${r.pattern}: ${res.text}`);
    const missing = await as('eve', r.method, fill(9007199254740991), body);
    assert.equal(missing.status, 404);
    assert.equal(res.json.error.code, `${r.scope}_not_found`);
    assert.equal(res.json.error.message, missing.json.error.message.replace('9007199254740991', String(ids[r.scope])),
      `${r.method} ${r.pattern} tells nothing more than for an unknown id`);
    // The owner reaches the same route (it is not a 404 for everyone); a
    // second id (a model, a run) may not exist, but the project is found.
    if (r.method === 'GET') {
      const own = await as('alice', 'GET', fill(ids[r.scope]));
      assert.ok(own.status !== 404 || own.json.error.code !== `${r.scope}_not_found`, `${r.pattern}: ${own.text}`);
    }
    checked++;
  }
  assert.ok(checked >= 25, `only ${checked} project-scoped routes`);
  // Nothing was changed by all those attempts.
  assert.deepEqual((await as('alice', 'GET', `/api/v1/projects/${pid}/members`)).json, membersBefore);
  assert.equal((await as('alice', 'GET', `/api/v1/projects/${pid}/history`)).json.history.length, historyBefore);
});

test('docs/openapi.yaml gives each project-scoped route the role the server requires', async () => {
  const text = await readFile(join(ROOT, 'docs', 'openapi.yaml'), 'utf8');
  const doc = new Map();
  let path = null; let op = null;
  for (const line of text.split('\n')) {
    const p = line.match(/^ {2}(\/[^:]*):\s*$/);
    if (p) { path = p[1]; continue; }
    if (/^\S/.test(line)) path = null;
    const m = line.match(/^ {4}(get|post|put|patch|delete):\s*$/);
    if (path && m) { op = `${m[1].toUpperCase()} ${path.replace(/\{[a-z_]+\}/g, '{id}')}`; continue; }
    const role = line.match(/^ {6}x-min-role: (\w+)/);
    if (op && role) doc.set(op, role[1]);
  }
  for (const r of await serverRoutes()) {
    assert.equal(doc.get(`${r.method} ${r.pattern}`), r.role, `${r.method} ${r.pattern}`);
  }
});

test('a labeler labels but cannot change categories, settings, members, uploads or exports', async () => {
  const a = assets[0].id;
  const put = await as('bob', 'PUT', `/api/v1/assets/${a}/annotation`, { category_ids: [cats[0].id] });
  assert.equal(put.status, 200);
  assert.equal(put.json.labeled_by, 'bob');
  assert.equal((await as('bob', 'PUT', `/api/v1/assets/${assets[5].id}/annotation`, { status: 'skipped' })).status, 200);
  const refused = [
    ['POST', `/api/v1/projects/${pid}/categories`, { name: 'fish' }],
    ['PATCH', `/api/v1/projects/${pid}/categories/${cats[0].id}`, { name: 'kitty' }],
    ['DELETE', `/api/v1/projects/${pid}/categories/${cats[0].id}`],
    ['PUT', `/api/v1/projects/${pid}/categories/order`, { order: cats.map((c) => c.id) }],
    ['PATCH', `/api/v1/projects/${pid}`, { name: 'Mine' }],
    ['POST', `/api/v1/projects/${pid}/exports`, {}],
    ['POST', `/api/v1/projects/${pid}/annotations/bulk`, { action: 'approve', asset_ids: [a] }],
    ['PUT', `/api/v1/projects/${pid}/members/${uid.eve}`, { role: 'manager' }],
    ['GET', `/api/v1/projects/${pid}/history`],
  ];
  for (const [m, p, body] of refused) {
    const r = await as('bob', m, p, body);
    assert.equal(r.status, 403, `${m} ${p}: ${r.text}`);
    assert.equal(r.json.error.code, 'forbidden');
    assert.match(r.json.error.message, /role in this project; you are a labeler\.$/);
  }
  const fd = new FormData();
  fd.append('file', new Blob([Buffer.from('x')]), 'x.png');
  assert.equal((await srv.req('POST', `/api/v1/projects/${pid}/assets`, { token: tok.bob, body: fd })).status, 403);
  const approve = await as('bob', 'PUT', `/api/v1/assets/${a}/annotation`, { status: 'approved' });
  assert.equal(approve.status, 403);
  assert.equal(approve.json.error.message, 'Approving needs the reviewer role in this project; you are a labeler.');
  assert.equal((await as('bob', 'GET', `/api/v1/assets/${a}/annotation`)).json.status, 'labeled', 'nothing written');
  assert.equal((await as('bob', 'GET', `/api/v1/projects/${pid}/categories`)).json.categories.length, 3);
});

test('a reviewer approves, but never their own labels once the project says so', async () => {
  // bob labeled assets[0]; carol approves it.
  assert.equal((await as('carol', 'PUT', `/api/v1/assets/${assets[0].id}/annotation`, { status: 'approved' })).status, 200);
  // By default a reviewer may approve what they labeled.
  await as('carol', 'PUT', `/api/v1/assets/${assets[1].id}/annotation`, { category_ids: [cats[1].id] });
  assert.equal((await as('carol', 'PUT', `/api/v1/assets/${assets[1].id}/annotation`, { status: 'approved' })).status, 200);
  // Only a manager changes the setting.
  assert.equal((await as('carol', 'PATCH', `/api/v1/projects/${pid}`, { settings: { review_own_labels: false } })).status, 403);
  const bad = await as('alice', 'PATCH', `/api/v1/projects/${pid}`, { settings: { review_own_labels: 'no' } });
  assert.equal(bad.status, 400);
  const set = await as('alice', 'PATCH', `/api/v1/projects/${pid}`, { settings: { review_own_labels: false } });
  assert.equal(set.status, 200);
  assert.equal(set.json.settings.review_own_labels, false);

  const mine = assets[2].id;
  await as('carol', 'PUT', `/api/v1/assets/${mine}/annotation`, { category_ids: [cats[2].id] });
  const own = await as('carol', 'PUT', `/api/v1/assets/${mine}/annotation`, { status: 'approved' });
  assert.equal(own.status, 403);
  assert.equal(own.json.error.code, 'own_label');
  assert.match(own.json.error.message, /^You set this label yourself, and in this project another reviewer must approve it\.$/);
  const bulk = await as('carol', 'POST', `/api/v1/projects/${pid}/annotations/bulk`, { action: 'approve', asset_ids: [mine, assets[3].id] });
  assert.equal(bulk.status, 200);
  assert.equal(bulk.json.results[0].ok, false);
  assert.equal(bulk.json.results[0].error.code, 'own_label');
  assert.equal((await as('carol', 'GET', `/api/v1/assets/${mine}/annotation`)).json.status, 'labeled');
  // Someone else's label is fine, and an admin approves anything.
  await as('bob', 'PUT', `/api/v1/assets/${assets[4].id}/annotation`, { category_ids: [cats[0].id] });
  assert.equal((await as('carol', 'PUT', `/api/v1/assets/${assets[4].id}/annotation`, { status: 'approved' })).status, 200);
  assert.equal((await as('admin', 'PUT', `/api/v1/assets/${mine}/annotation`, { status: 'approved' })).status, 200);
  await as('alice', 'PATCH', `/api/v1/projects/${pid}`, { settings: { review_own_labels: true } });
});

test('a manager adds, changes and removes members; a project keeps a manager', async () => {
  await addUser('dan');
  const path = `/api/v1/projects/${pid}/members`;
  assert.equal((await as('alice', 'POST', path, { name: 'nobody', role: 'labeler' })).status, 404);
  const badRole = await as('alice', 'POST', path, { name: 'dan', role: 'admin' });
  assert.equal(badRole.status, 400);
  assert.equal(badRole.json.error.code, 'invalid_role');
  assert.equal((await as('alice', 'PUT', `${path}/999999`, { role: 'labeler' })).status, 404);
  assert.equal((await as('alice', 'POST', path, { name: 'dan', role: 'labeler' })).status, 201);
  assert.equal((await as('dan', 'GET', `/api/v1/projects/${pid}`)).json.role, 'labeler');
  const up = await as('alice', 'PUT', `${path}/${uid.dan}`, { role: 'manager' });
  assert.equal(up.status, 200);
  // dan is a manager now: he may change members and categories.
  assert.equal((await as('dan', 'PUT', `${path}/${uid.dan}`, { role: 'reviewer' })).status, 200);
  const last = await as('alice', 'PUT', `${path}/${uid.alice}`, { role: 'labeler' });
  assert.equal(last.status, 409);
  assert.equal(last.json.error.code, 'last_manager');
  assert.equal((await as('alice', 'DELETE', `${path}/${uid.alice}`)).status, 409);
  assert.equal((await as('alice', 'DELETE', `${path}/${uid.dan}`)).status, 204);
  assert.equal((await as('alice', 'DELETE', `${path}/${uid.dan}`)).status, 404);
  // Removed: the project is gone for him, at once.
  assert.equal((await as('dan', 'GET', `/api/v1/projects/${pid}`)).status, 404);
  const members = (await as('bob', 'GET', path)).json.members.map((m) => [m.name, m.role]);
  assert.deepEqual(members, [['alice', 'manager'], ['bob', 'labeler'], ['carol', 'reviewer']]);
});

test('the project history records who changed what, and only managers read it', async () => {
  await as('alice', 'PATCH', `/api/v1/projects/${pid}`, { name: 'Team A' });
  const fish = (await as('alice', 'POST', `/api/v1/projects/${pid}/categories`, { name: 'fish' })).json;
  await as('admin', 'PATCH', `/api/v1/projects/${pid}/categories/${fish.id}`, { name: 'trout', state: 'disabled' });
  await as('alice', 'DELETE', `/api/v1/projects/${pid}/categories/${fish.id}`);
  await as('alice', 'PUT', `/api/v1/projects/${pid}/categories/order`, { order: [cats[2].id, cats[1].id, cats[0].id] });
  const h = await as('alice', 'GET', `/api/v1/projects/${pid}/history?limit=500`);
  assert.equal(h.status, 200);
  const rows = h.json.history.map((e) => [e.action, e.by, e.detail]);
  assert.deepEqual(rows.slice(0, 6), [
    ['category.reorder', 'alice', { order: [cats[2].id, cats[1].id, cats[0].id] }],
    ['category.delete', 'alice', { category_id: fish.id, name: 'trout' }],
    ['category.state', 'admin', { category_id: fish.id, name: 'trout', from: 'active', to: 'disabled' }],
    ['category.rename', 'admin', { category_id: fish.id, from: 'fish', to: 'trout' }],
    ['category.create', 'alice', { category_id: fish.id, name: 'fish' }],
    ['project.rename', 'alice', { from: 'Team', to: 'Team A' }],
  ]);
  const actions = rows.map((r) => r[0]);
  for (const a of ['project.create', 'project.settings', 'member.add', 'member.role', 'member.remove']) {
    assert.ok(actions.includes(a), a);
  }
  assert.deepEqual(rows.at(-1), ['project.create', 'alice', { name: 'Team' }]);
  assert.deepEqual(rows.find((r) => r[0] === 'member.remove'), ['member.remove', 'alice', { user_id: uid.dan, name: 'dan', role: 'reviewer' }]);
  assert.match(h.json.history[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // Pages, newest first.
  const p1 = await as('alice', 'GET', `/api/v1/projects/${pid}/history?limit=2`);
  assert.equal(p1.json.history.length, 2);
  const p2 = await as('alice', 'GET', `/api/v1/projects/${pid}/history?limit=2&cursor=${p1.json.next_cursor}`);
  assert.equal(p2.json.history[0].id, h.json.history[2].id);
  assert.equal((await as('carol', 'GET', `/api/v1/projects/${pid}/history`)).status, 403);
});

test('API tokens are named, listed without secrets, expire and are revoked', async () => {
  const soon = new Date(Date.now() + 1500).toISOString();
  const made = await as('bob', 'POST', '/api/v1/me/tokens', { name: 'ci runner', expires_at: soon });
  assert.equal(made.status, 201);
  assert.match(made.json.token, /^tsk_[0-9a-f]{64}$/);
  assert.equal(made.json.name, 'ci runner');
  const other = (await as('bob', 'POST', '/api/v1/me/tokens', { name: 'laptop' })).json;
  assert.equal(other.expires_at, null);

  const list = await as(made.json.token, 'GET', '/api/v1/me/tokens');
  assert.equal(list.status, 200);
  assert.ok(!list.text.includes(made.json.token.slice(4)) && !list.text.includes(other.token.slice(4)), 'no secret in the list');
  assert.ok(list.json.tokens.every((t) => !('token' in t)));
  const names = list.json.tokens.map((t) => [t.name, t.current, t.expired]);
  assert.deepEqual(names, [['command line', false, false], ['ci runner', true, false], ['laptop', false, false]]);
  assert.match(list.json.tokens[1].last_used_at, /^\d{4}-/);
  assert.equal(list.json.tokens[1].expires_at, new Date(Date.parse(soon)).toISOString());

  for (const bad of ['tomorrow', '2000-01-01T00:00:00Z', 5]) {
    const r = await as('bob', 'POST', '/api/v1/me/tokens', { expires_at: bad });
    assert.equal(r.status, 400, String(bad));
  }

  // Revoked: 401 at once, and gone from the list; not anyone else's to revoke.
  assert.equal((await as('carol', 'DELETE', `/api/v1/me/tokens/${other.id}`)).status, 404);
  assert.equal((await as('bob', 'DELETE', `/api/v1/me/tokens/${other.id}`)).status, 204);
  const revoked = await as(other.token, 'GET', '/api/v1/me');
  assert.equal(revoked.status, 401);
  assert.equal(revoked.json.error.message, 'This API token has been revoked.');
  assert.equal((await as('bob', 'DELETE', `/api/v1/me/tokens/${other.id}`)).status, 404);

  // Expired: 401 with a clear message.
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(soon) - Date.now() + 100)));
  const expired = await as(made.json.token, 'GET', '/api/v1/me');
  assert.equal(expired.status, 401);
  assert.equal(expired.json.error.code, 'unauthorized');
  assert.match(expired.json.error.message, /^This API token expired at \d{4}-.*Z; make a new one\.$/);
  assert.equal((await as('bob', 'GET', '/api/v1/me/tokens')).json.tokens.find((t) => t.id === made.json.id).expired, true);
});

test('logout ends the session; logout everywhere also revokes every token', async () => {
  await addUser('gus');
  const s1 = cookieOf(await login('gus'));
  const s2 = cookieOf(await login('gus'));
  const me = (cookie) => srv.req('GET', '/api/v1/me', { headers: { cookie } });
  assert.equal((await srv.req('POST', '/api/v1/auth/logout', { headers: { cookie: s1 } })).status, 204);
  assert.equal((await me(s1)).status, 401);
  assert.equal((await me(s2)).status, 200, 'another session stays');
  assert.equal((await srv.req('POST', '/api/v1/auth/logout?all=maybe', { headers: { cookie: s2 } })).status, 400);
  assert.equal((await srv.req('POST', '/api/v1/auth/logout?all=true', { headers: { cookie: s2 } })).status, 204);
  assert.equal((await me(s2)).status, 401);
  assert.equal((await as('gus', 'GET', '/api/v1/me')).status, 401);
});

test('a disabled user is shut out at once, token and session; enabling lets them log in again', async () => {
  await addUser('fay');
  const cookie = cookieOf(await login('fay'));
  assert.equal((await as('fay', 'PATCH', `/api/v1/users/${uid.fay}`, { disabled: true })).status, 403);
  const off = await as('admin', 'PATCH', `/api/v1/users/${uid.fay}`, { disabled: true });
  assert.equal(off.status, 200);
  assert.equal(off.json.disabled, true);
  const byToken = await as('fay', 'GET', '/api/v1/me');
  assert.equal(byToken.status, 401);
  assert.equal(byToken.json.error.message, 'This account is disabled.');
  assert.equal((await srv.req('GET', '/api/v1/me', { headers: { cookie } })).status, 401);
  const again = await login('fay');
  assert.equal(again.status, 401);
  assert.equal(again.json.error.message, 'This account is disabled.');
  assert.equal((await login('fay')).headers.get('set-cookie'), null);
  assert.equal((await as('admin', 'GET', '/api/v1/users')).json.users.find((u) => u.name === 'fay').disabled, true);

  // The last enabled admin cannot be disabled (here: the admin themself).
  const me = (await as('admin', 'GET', '/api/v1/me')).json;
  const last = await as('admin', 'PATCH', `/api/v1/users/${me.id}`, { disabled: true });
  assert.equal(last.status, 409);
  assert.equal(last.json.error.code, 'last_admin');
  assert.equal((await as('admin', 'PATCH', '/api/v1/users/999999', { disabled: true })).status, 404);

  const on = await as('admin', 'PATCH', `/api/v1/users/${uid.fay}`, { disabled: false });
  assert.equal(on.json.disabled, false);
  assert.equal((await login('fay')).status, 200);
  const old = await as('fay', 'GET', '/api/v1/me');
  assert.equal(old.status, 401, 'tokens ended by disabling stay ended');
});

test('the command line disables and enables a user', async () => {
  const { BIN } = await import('../lib/server.mjs');
  await addUser('hal');
  await run(BIN, ['user', 'disable', 'hal', '--data', srv.dataDir], { env: srv.env() });
  assert.equal((await login('hal')).status, 401);
  await run(BIN, ['user', 'enable', 'hal', '--data', srv.dataDir], { env: srv.env() });
  assert.equal((await login('hal')).status, 200);
  await assert.rejects(run(BIN, ['user', 'disable', 'admin', '--data', srv.dataDir], { env: srv.env() }), /last enabled admin/);
});

test('expired sessions are purged at login', async () => {
  const sql = (q) => srv.sql(q);
  await sql(`INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES ('${'ab'.repeat(32)}', ${uid.bob}, 1, 2)`);
  assert.equal(await sql('SELECT count(*) FROM sessions WHERE expires_at < 1000'), '1');
  assert.equal((await login('bob')).status, 200);
  assert.equal(await sql('SELECT count(*) FROM sessions WHERE expires_at < 1000'), '0');
});
