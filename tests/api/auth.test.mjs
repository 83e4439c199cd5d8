// Accounts: first-account setup, login, sessions, tokens, admin-only routes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.close(); });

function cookieOf(res) {
  const c = res.headers.get('set-cookie');
  assert.ok(c, 'a Set-Cookie header');
  return c.split(';')[0];
}

test('a fresh server needs setup and creates the first admin once', async () => {
  const st = await srv.req('GET', '/api/v1/auth/status');
  assert.equal(st.status, 200);
  assert.equal(st.json.needs_setup, true);

  const bad = await srv.req('POST', '/api/v1/auth/setup', { body: { name: 'alice', password: 'short' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'invalid_password');

  const res = await srv.req('POST', '/api/v1/auth/setup', { body: { name: 'alice', password: 'correct horse' } });
  assert.equal(res.status, 201);
  assert.equal(res.json.user.name, 'alice');
  assert.equal(res.json.user.is_admin, true);
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /tessera_session=[0-9a-f]{64}/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);

  const again = await srv.req('POST', '/api/v1/auth/setup', { body: { name: 'mallory', password: 'correct horse' } });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'already_set_up');
  assert.equal((await srv.req('GET', '/api/v1/auth/status')).json.needs_setup, false);
});

test('login gives a session cookie that authenticates; logout ends it', async () => {
  const wrong = await srv.req('POST', '/api/v1/auth/login', { body: { name: 'alice', password: 'wrong password' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json.error.code, 'invalid_credentials');
  const nobody = await srv.req('POST', '/api/v1/auth/login', { body: { name: 'nobody', password: 'whatever1' } });
  assert.equal(nobody.status, 401);
  assert.equal(nobody.json.error.code, 'invalid_credentials');

  const res = await srv.req('POST', '/api/v1/auth/login', { body: { name: 'ALICE', password: 'correct horse' } });
  assert.equal(res.status, 200);
  const cookie = cookieOf(res);
  const me = await srv.req('GET', '/api/v1/me', { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.json.name, 'alice');
  const st = await srv.req('GET', '/api/v1/auth/status', { headers: { cookie } });
  assert.equal(st.json.user.name, 'alice', 'the status names the session user');
  assert.equal((await srv.req('GET', '/api/v1/auth/status')).json.user, null);

  const out = await srv.req('POST', '/api/v1/auth/logout', { headers: { cookie } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  const after = await srv.req('GET', '/api/v1/me', { headers: { cookie } });
  assert.equal(after.status, 401);
});

test('every /api/ route needs a session or a token', async () => {
  for (const [m, p] of [['GET', '/api/v1/me'], ['GET', '/api/v1/projects'], ['POST', '/api/v1/projects'],
    ['GET', '/api/v1/projects/1/categories'], ['GET', '/api/v1/users']]) {
    const r = await srv.req(m, p, { body: m === 'POST' ? { name: 'x' } : undefined });
    assert.equal(r.status, 401, `${m} ${p}`);
    assert.equal(r.json.error.code, 'unauthorized');
  }
  const badToken = await srv.req('GET', '/api/v1/me', { token: 'tsk_' + '0'.repeat(64) });
  assert.equal(badToken.status, 401);
  const badScheme = await srv.req('GET', '/api/v1/me', { headers: { authorization: 'Basic YWxpY2U6eA==' } });
  assert.equal(badScheme.status, 401);
  const badCookie = await srv.req('GET', '/api/v1/me', { headers: { cookie: 'tessera_session=abc' } });
  assert.equal(badCookie.status, 401);
});

test('the CLI prints a working token; only an admin adds users', async () => {
  const adminToken = await srv.addUser('root', { admin: true });
  assert.match(adminToken, /^tsk_[0-9a-f]{64}$/);
  const userToken = await srv.addUser('bob');
  const me = await srv.req('GET', '/api/v1/me', { token: userToken });
  assert.equal(me.json.name, 'bob');
  assert.equal(me.json.is_admin, false);

  const forbidden = await srv.req('POST', '/api/v1/users', { token: userToken, body: { name: 'eve', password: 'password1' } });
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.json.error.code, 'forbidden');

  const created = await srv.req('POST', '/api/v1/users', { token: adminToken, body: { name: 'carol', password: 'password1' } });
  assert.equal(created.status, 201);
  assert.equal(created.json.is_admin, false);
  const dup = await srv.req('POST', '/api/v1/users', { token: adminToken, body: { name: 'Carol', password: 'password1' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error.code, 'name_taken');
  const badName = await srv.req('POST', '/api/v1/users', { token: adminToken, body: { name: '../etc', password: 'password1' } });
  assert.equal(badName.status, 400);
  const badType = await srv.req('POST', '/api/v1/users', { token: adminToken, body: { name: 'dave', password: 'password1', is_admin: 'yes' } });
  assert.equal(badType.status, 400);
  assert.equal(badType.json.error.code, 'invalid_field');

  const list = await srv.req('GET', '/api/v1/users', { token: adminToken });
  assert.deepEqual(list.json.users.map((u) => u.name), ['alice', 'root', 'bob', 'carol']);
  const login = await srv.req('POST', '/api/v1/auth/login', { body: { name: 'carol', password: 'password1' } });
  assert.equal(login.status, 200);

  const tok = await srv.req('POST', '/api/v1/me/tokens', { token: userToken });
  assert.equal(tok.status, 201);
  assert.equal((await srv.req('GET', '/api/v1/me', { token: tok.json.token })).json.name, 'bob');
});

test('tokens and sessions survive a restart; secrets are stored only hashed', async () => {
  const token = await srv.addUser('persist');
  await srv.restart();
  assert.equal((await srv.req('GET', '/api/v1/me', { token })).status, 200);
  const { readFile } = await import('node:fs/promises');
  for (const f of ['tessera.db', 'tessera.db-wal']) {
    const bytes = await readFile(`${srv.dataDir}/${f}`).catch(() => Buffer.alloc(0));
    assert.equal(bytes.includes(Buffer.from(token.slice(4))), false, `the raw token is not in ${f}`);
  }
});
