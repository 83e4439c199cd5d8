// Logins under attack: one client flooding bad passwords cannot keep the
// real user out, guesses are throttled before any password is hashed,
// and setup and user creation go through during a flood. The server
// trusts 127.0.0.1 as its reverse proxy, so X-Forwarded-For tells the
// test's clients apart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from '../lib/server.mjs';

const PASSWORD = 'correct horse battery';
let srv;

before(async () => {
  srv = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  await srv.addUser('alice', { admin: true, password: PASSWORD });
});
after(async () => { await srv.close(); });

function login(name, password, client, on = srv) {
  return on.req('POST', '/api/v1/auth/login', {
    body: { name, password }, headers: { 'x-forwarded-for': client },
  });
}

// 40 connections sending bad logins for `name` as `client` until stop();
// counts answers by status.
function flood(name, client, on = srv, connections = 40) {
  let running = true;
  const counts = {};
  const loops = Array.from({ length: connections }, async (_, i) => {
    while (running) {
      try {
        const r = await login(name, `wrong password ${i}`, client, on);
        counts[r.status] = (counts[r.status] || 0) + 1;
        if (r.status === 429) assert.match(r.headers.get('retry-after'), /^[1-9][0-9]*$/);
      } catch { counts.error = (counts.error || 0) + 1; }
    }
  });
  return { counts, async stop() { running = false; await Promise.all(loops); } };
}

test('during a 40-connection flood of bad logins, the real user logs in', async () => {
  // given an attacker at 10.66.0.1 flooding alice's account
  const f = flood('alice', '10.66.0.1');
  await new Promise((r) => setTimeout(r, 500));
  // when alice logs in 20 times from her own address
  let ok = 0;
  const statuses = [];
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) {
    const r = await login('alice', PASSWORD, '192.0.2.10');
    statuses.push(r.status);
    if (r.status === 200) ok++;
  }
  const seconds = (Date.now() - t0) / 1000;
  await f.stop();
  console.log(`real logins that got through during the flood: ${ok} of 20 in ${seconds.toFixed(1)} s; ` +
    `flood answers: ${JSON.stringify(f.counts)}`);
  // then at least 19 of 20 succeed, and the flood was mostly turned away unhashed
  assert.ok(ok >= 19, statuses.join());
  assert.ok((f.counts[429] || 0) > (f.counts[401] || 0), JSON.stringify(f.counts));
  assert.ok((f.counts[401] || 0) <= 30, `few guesses were checked: ${JSON.stringify(f.counts)}`);
});

test('guessing is throttled per client and account: 429 with Retry-After before any check', async () => {
  await srv.addUser('bob', { password: PASSWORD });
  // given 5 wrong guesses from one client
  for (let i = 0; i < 5; i++) assert.equal((await login('bob', `guess ${i}`, '198.51.100.7')).status, 401);
  // then the next try waits, whatever its password, and answers at once
  const t0 = Date.now();
  const r = await login('bob', PASSWORD, '198.51.100.7');
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.error.code, 'too_many_attempts');
  assert.ok(Date.now() - t0 < 200, 'no password was hashed');
  const wait = Number(r.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 900, `${wait}`);
  // while bob from elsewhere is not locked out
  assert.equal((await login('bob', PASSWORD, '198.51.100.8')).status, 200);
  // and after the wait, the guessing client may try again (once)
  await new Promise((res) => setTimeout(res, wait * 1000 + 100));
  assert.equal((await login('bob', 'guess again', '198.51.100.7')).status, 401);
  assert.equal((await login('bob', PASSWORD, '198.51.100.7')).status, 429, 'waits twice as long now');
});

test('behind the proxy, the client is the right-most X-Forwarded-For entry that is not the proxy', async () => {
  await srv.addUser('erin', { password: PASSWORD });
  // given guesses whose left-hand entries (written by the client) vary
  for (let i = 0; i < 5; i++) {
    const r = await login('erin', `guess ${i}`, `203.0.113.${i}, 10.77.0.1, 127.0.0.1`);
    assert.equal(r.status, 401);
  }
  // then they were one client, 10.77.0.1
  assert.equal((await login('erin', PASSWORD, '198.18.0.1, 10.77.0.1')).status, 429);
  assert.equal((await login('erin', PASSWORD, '10.77.0.2')).status, 200);
});

test('X-Forwarded-For counts only from the trusted proxy', async () => {
  // given a server that trusts no proxy, 5 wrong guesses each claiming another address
  const plain = await startServer();
  try {
    await plain.addUser('carol', { password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      const r = await plain.req('POST', '/api/v1/auth/login', {
        body: { name: 'carol', password: `guess ${i}` }, headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      assert.equal(r.status, 401);
    }
    // then they were all one client, and the sixth is throttled
    const r = await plain.req('POST', '/api/v1/auth/login', {
      body: { name: 'carol', password: PASSWORD }, headers: { 'x-forwarded-for': '203.0.113.99' },
    });
    assert.equal(r.status, 429, r.text);
  } finally {
    await plain.close();
  }
});

test('setup and user creation go through during a flood of logins', async () => {
  const fresh = await startServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  try {
    // given a server with no account yet, flooded with logins
    const f = flood('admin', '10.66.0.2', fresh);
    await new Promise((r) => setTimeout(r, 300));
    // when the first account is made, and then another user
    const setup = await fresh.req('POST', '/api/v1/auth/setup', {
      body: { name: 'root', password: PASSWORD }, headers: { 'x-forwarded-for': '192.0.2.20' },
    });
    await f.stop();
    assert.equal(setup.status, 201, setup.text);
    const cookie = setup.headers.get('set-cookie').split(';')[0];
    const f2 = flood('root', '10.66.0.3', fresh);
    await new Promise((r) => setTimeout(r, 300));
    const made = await fresh.req('POST', '/api/v1/users', {
      body: { name: 'dave', password: PASSWORD }, headers: { cookie, 'x-forwarded-for': '192.0.2.20' },
    });
    await f2.stop();
    assert.equal(made.status, 201, made.text);
    // and a second setup is refused at once, without hashing a password
    const t0 = Date.now();
    const again = await fresh.req('POST', '/api/v1/auth/setup', { body: { name: 'x', password: PASSWORD } });
    assert.equal(again.status, 409);
    assert.ok(Date.now() - t0 < 200);
  } finally {
    await fresh.close();
  }
});
