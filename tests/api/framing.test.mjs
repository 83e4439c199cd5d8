// Requests that two HTTP parsers could read differently (a proxy in front
// and this server), and Hosts a DNS-rebinding page would send, are refused
// with a JSON 400 or 421 before routing; the connection then closes, so no
// leftover bytes run as a request of their own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, startWithAdmin, BIN } from '../lib/server.mjs';
import { rawRequest, rawGet } from '../lib/raw.mjs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

let srv;
let token;

before(async () => { ({ srv, token } = await startWithAdmin()); });
after(async () => { await srv.close(); });

function assertRefused(r, status, code) {
  assert.equal(r.status, status, r.raw);
  assert.equal(r.json?.error?.code, code, r.raw);
  assert.match(r.json.error.message, /^[A-Z].*\.$/);
  assert.equal(r.headers.connection, 'close');
  assert.equal(r.responses, 1, `one answer only:\n${r.raw}`);
  assert.ok(r.closed, 'the server closes the connection');
}

const host = () => `127.0.0.1:${srv.port}`;

test('a raw NUL in the path is refused, not cut off there', async () => {
  // given a path that a C string would end at the NUL
  const r = await rawRequest(srv.port, Buffer.from(
    `GET /api/v1/me\0x HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${token}\r\n\r\n`, 'latin1'));
  // then 400, not /api/v1/me's 200
  assertRefused(r, 400, 'invalid_request_line');
  // and the same request without the NUL still works
  const ok = await rawGet(srv.port, '/api/v1/me', host(), [`Authorization: Bearer ${token}`]);
  assert.equal(ok.status, 200, ok.raw);
});

test('Content-Length with Transfer-Encoding is refused, and the leftover never runs', async () => {
  // given a body that is empty when read as chunked, followed by a
  // smuggled second request
  const smuggled = `GET /api/v1/me HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${token}\r\n\r\n`;
  const body = `0\r\n\r\n${smuggled}`;
  const r = await rawRequest(srv.port, Buffer.from(
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`, 'latin1'));
  assertRefused(r, 400, 'ambiguous_length');
  assert.ok(!r.raw.includes('"is_admin"'), 'the smuggled request was not answered');
  // a Transfer-Encoding other than chunked is refused too
  const gz = await rawRequest(srv.port, Buffer.from(
    `POST /api/v1/auth/login HTTP/1.1\r\nHost: ${host()}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`));
  assertRefused(gz, 400, 'unsupported_transfer_encoding');
});

test('two different Content-Lengths are refused', async () => {
  const r = await rawRequest(srv.port, Buffer.from(
    `POST /api/v1/projects HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${token}\r\n` +
    'Content-Type: application/json\r\nContent-Length: 12\r\nContent-Length: 40\r\n\r\n' +
    '{"name":"a"}GET /api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n'));
  assertRefused(r, 400, 'ambiguous_length');
  const list = await srv.req('GET', '/api/v1/projects', { token });
  assert.equal(list.json.projects.length, 0, 'nothing was created');
});

test('HTTP/1.1 without Host, or with two, is refused; HTTP/1.0 without Host is not', async () => {
  assertRefused(await rawGet(srv.port, '/healthz', null), 400, 'invalid_host');
  assertRefused(await rawGet(srv.port, '/healthz', host(), [`Host: ${host()}`]), 400, 'invalid_host');
  const old = await rawRequest(srv.port, Buffer.from('GET /healthz HTTP/1.0\r\n\r\n'));
  assert.equal(old.status, 200, old.raw);
});

test('a Host that names another site gets 421, so a DNS-rebinding page cannot set up the server', async () => {
  // given a server with no account yet, reached through a name that a
  // rebinding attacker's DNS points at 127.0.0.1
  const fresh = await startServer();
  try {
    const body = '{"name":"mallory","password":"password123"}';
    const setup = await rawRequest(fresh.port, Buffer.from(
      `POST /api/v1/auth/setup HTTP/1.1\r\nHost: rebind.attacker.example:${fresh.port}\r\n` +
      `Origin: http://rebind.attacker.example:${fresh.port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
    assert.equal(setup.status, 421, setup.raw);
    assert.equal(setup.json.error.code, 'wrong_host');
    const status = await fresh.req('GET', '/api/v1/auth/status');
    assert.equal(status.json.needs_setup, true, 'no account was made');
    // while the address itself and localhost work, with any port a proxy may show
    for (const h of [`127.0.0.1:${fresh.port}`, `localhost:${fresh.port}`, `LOCALHOST:${fresh.port}`,
      `[::1]:${fresh.port}`, '127.0.0.1', 'localhost:8080']) {
      const r = await rawGet(fresh.port, '/api/v1/auth/status', h);
      assert.equal(r.status, 200, `${h}: ${r.raw}`);
    }
    for (const h of ['evil.example', `evil.example:${fresh.port}`, `localhost.evil.example:${fresh.port}`,
      '127.0.0.1.nip.io', 'localhost:80x', '[::1', '']) {
      const r = await rawGet(fresh.port, '/api/v1/auth/status', h);
      assert.ok(r.status === 421 || r.status === 400, `${h}: ${r.raw}`);
    }
  } finally {
    await fresh.close();
  }
});

test('--public-origin names the host to answer for; X-Forwarded-Host counts only from a trusted proxy', async () => {
  const pub = await startServer({ args: ['--public-origin', 'https://tessera.example.com'] });
  const proxied = await startServer({ env: { TESSERA_PUBLIC_ORIGIN: 'https://tessera.example.com/', TESSERA_TRUSTED_PROXY: '127.0.0.1' } });
  try {
    for (const h of ['tessera.example.com', 'TESSERA.example.com:443', `127.0.0.1:${pub.port}`]) {
      const r = await rawGet(pub.port, '/healthz', h);
      assert.equal(r.status, 200, `${h}: ${r.raw}`);
    }
    for (const h of ['tessera.example.com:8443', 'other.example.com']) {
      const r = await rawGet(pub.port, '/healthz', h);
      assert.equal(r.status, 421, `${h}: ${r.raw}`);
    }
    // an untrusted peer cannot vouch for a Host with X-Forwarded-Host
    const spoof = await rawGet(pub.port, '/healthz', 'evil.example', ['X-Forwarded-Host: tessera.example.com']);
    assert.equal(spoof.status, 421, spoof.raw);
    // a trusted proxy can (its own Host may be the upstream's name)
    const ok = await rawGet(proxied.port, '/healthz', 'api:8080', ['X-Forwarded-Host: tessera.example.com']);
    assert.equal(ok.status, 200, ok.raw);
    const bad = await rawGet(proxied.port, '/healthz', 'tessera.example.com', ['X-Forwarded-Host: evil.example']);
    assert.equal(bad.status, 421, bad.raw);
  } finally {
    await pub.close();
    await proxied.close();
  }
  // a malformed origin or proxy address stops the server at once
  for (const args of [['--public-origin', 'tessera.example.com'], ['--public-origin', 'https://x.example/app'],
    ['--trusted-proxy', 'proxy.local'], ['--trusted-proxy', '10.0.0.0/33'], ['--trusted-proxy', '::1/129'],
    ['--trusted-proxy', '127.0.0.0/'], ['--trusted-proxy', '127.0.0.0/8x']]) {
    const r = await promisify(execFile)(BIN, ['serve', '--listen', '127.0.0.1:0', '--data', '/nonexistent/x', ...args])
      .then(() => ({ code: 0 }), (e) => e);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, /public-origin|trusted-proxy/, r.stderr);
  }
});

test('--trusted-proxy takes networks (ADDR/BITS): a peer inside one is trusted, outside it is not', async () => {
  const inside = await startServer({ env: { TESSERA_PUBLIC_ORIGIN: 'https://tessera.example.com', TESSERA_TRUSTED_PROXY: '10.1.2.0/24, 127.0.0.0/8' } });
  const outside = await startServer({ env: { TESSERA_PUBLIC_ORIGIN: 'https://tessera.example.com', TESSERA_TRUSTED_PROXY: '127.0.0.2/32,::ffff:10.0.0.0/104' } });
  try {
    // 127.0.0.1 lies in 127.0.0.0/8: its X-Forwarded-Host counts
    const ok = await rawGet(inside.port, '/healthz', 'api:8080', ['X-Forwarded-Host: tessera.example.com']);
    assert.equal(ok.status, 200, ok.raw);
    // 127.0.0.1 is not 127.0.0.2/32 and not in 10.0.0.0/8: ignored, so the Host decides
    const no = await rawGet(outside.port, '/healthz', 'api:8080', ['X-Forwarded-Host: tessera.example.com']);
    assert.equal(no.status, 421, no.raw);
  } finally {
    await inside.close();
    await outside.close();
  }
});

test('X-Forwarded-Host from an untrusted peer does not satisfy the Origin check', async () => {
  const r = await srv.req('POST', '/api/v1/projects', {
    token, body: { name: 'spoofed' },
    headers: { origin: 'http://localhost:8080', 'x-forwarded-host': 'localhost:8080' },
  });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.error.code, 'cross_origin');
});
