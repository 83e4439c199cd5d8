// Slow clients: 1,100 connections that trickle their headers (a byte a
// second keeps libmicrohttpd's idle timeout from firing) neither fill the
// server nor keep anyone else out; a body may still arrive slowly once
// the headers are in; a client that goes away mid-upload leaves no
// temporary file behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';

import { startWithAdmin, tmpFiles } from '../lib/server.mjs';
import { rawGet, rawRequest } from '../lib/raw.mjs';

const HEADER_TIMEOUT_S = 3;
let srv;
let token;

before(async () => {
  ({ srv, token } = await startWithAdmin({ env: { TESSERA_HEADER_TIMEOUT: String(HEADER_TIMEOUT_S) } }));
});
after(async () => { await srv.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A connection that sends a request line and then one header byte every
// `everyMs`, never finishing; `closedAt` is set when the server closes it.
function slowClient(port, everyMs = 1000) {
  const c = { closedAt: 0, openedAt: Date.now() };
  const sock = connect({ port, host: '127.0.0.1' });
  c.sock = sock;
  sock.on('error', () => {});
  sock.on('close', () => { c.closedAt = Date.now(); clearInterval(c.timer); });
  sock.on('connect', () => {
    sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    c.timer = setInterval(() => { if (!sock.destroyed) sock.write('a'); }, everyMs);
  });
  return c;
}

test('under 1,100 slow-header connections /healthz answers a fresh client', async () => {
  const slow = [];
  try {
    // given 1,100 connections from one address, each trickling its headers
    for (let i = 0; i < 1100; i++) {
      slow.push(slowClient(srv.port));
      if (i % 100 === 99) await sleep(50);
    }
    await sleep(500);
    const refusedAtOnce = slow.filter((c) => c.closedAt).length;
    // when another client asks (another address: 127.0.0.2 reaches the
    // server on 127.0.0.1 over the loopback device)
    const t0 = Date.now();
    const fresh = await rawGet(srv.port, '/healthz', `127.0.0.1:${srv.port}`, [], { localAddress: '127.0.0.2' });
    const freshMs = Date.now() - t0;
    // then it is answered at once
    assert.equal(fresh.status, 200, fresh.raw);
    assert.ok(freshMs < 2000, `${freshMs} ms`);
    // and the slow address got only its share of connections
    assert.ok(refusedAtOnce >= 1000, `refused at once: ${refusedAtOnce}`);
    // and the ones it got are closed once the header deadline passes,
    // however much they trickle, after which the address is served again
    await sleep(HEADER_TIMEOUT_S * 1000 + 1500);
    const open = slow.filter((c) => !c.closedAt).length;
    const same = await rawGet(srv.port, '/healthz', `127.0.0.1:${srv.port}`);
    console.log(`slowloris: ${refusedAtOnce} of 1100 refused at once, /healthz from a fresh client ` +
      `in ${freshMs} ms; ${open} still open ${HEADER_TIMEOUT_S + 1.5} s later`);
    assert.equal(open, 0, `${open} slow connections still open after the deadline`);
    assert.equal(same.status, 200, same.raw);
  } finally {
    for (const c of slow) { clearInterval(c.timer); c.sock.destroy(); }
  }
});

test('a connection that trickles its headers is closed at the deadline', async () => {
  const c = slowClient(srv.port, 300);
  try {
    while (!c.closedAt && Date.now() - c.openedAt < 15000) await sleep(50);
    const s = (c.closedAt - c.openedAt) / 1000;
    console.log(`header deadline ${HEADER_TIMEOUT_S} s: a trickling connection was closed after ${s.toFixed(1)} s`);
    assert.ok(c.closedAt, 'closed');
    assert.ok(s >= HEADER_TIMEOUT_S - 0.5 && s < HEADER_TIMEOUT_S + 2, `${s} s`);
  } finally {
    clearInterval(c.timer);
    c.sock.destroy();
  }
});

test('a body may arrive slowly once the headers are in', async () => {
  // given a request whose headers come at once and whose body takes
  // longer than the header deadline
  const body = JSON.stringify({ name: 'slow but steady' });
  const sock = connect({ port: srv.port, host: '127.0.0.1' });
  await new Promise((r) => sock.on('connect', r));
  let got = '';
  sock.on('data', (d) => { got += d; });
  sock.on('error', () => {});
  const closed = new Promise((r) => sock.on('close', r));
  sock.write(`POST /api/v1/projects HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n` +
    `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
  const steps = 8;
  const per = Math.ceil(body.length / steps);
  for (let i = 0; i < steps; i++) {
    sock.write(body.slice(i * per, (i + 1) * per));
    await sleep(((HEADER_TIMEOUT_S + 2) * 1000) / steps);
  }
  await closed;
  // then it is served
  assert.match(got, /^HTTP\/1\.1 201 /, got);
});

test('a client that goes away mid-upload leaves no temporary file within 5 s', async () => {
  const project = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Cut' } });
  const head = Buffer.from('--BND\r\nContent-Disposition: form-data; name="file"; filename="cut.jpg"\r\n' +
    'Content-Type: image/jpeg\r\n\r\n');
  const tmp = () => tmpFiles(srv.dataDir);
  for (const how of ['end', 'destroy']) {
    // given an upload under way, its part being written to tmp/
    const sock = connect({ port: srv.port, host: '127.0.0.1' });
    sock.on('error', () => {});
    await new Promise((r) => sock.on('connect', r));
    sock.write(`POST /api/v1/projects/${project.json.id}/assets HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=BND\r\n` +
      `Content-Length: ${10 << 20}\r\n\r\n`);
    sock.write(Buffer.concat([head, Buffer.alloc(300000, 0x55)]));
    let during = [];
    for (let i = 0; i < 100 && during.length === 0; i++) { await sleep(20); during = await tmp(); }
    assert.equal(during.length, 1, 'a temporary file while the part arrives');
    // when the client closes (end) or drops (destroy) the connection
    const t0 = Date.now();
    if (how === 'end') sock.end(); else sock.destroy();
    let left = during;
    while (left.length && Date.now() - t0 < 10000) { await sleep(20); left = await tmp(); }
    const s = (Date.now() - t0) / 1000;
    console.log(`cut upload (${how}): temporary file gone after ${s.toFixed(2)} s`);
    // then the file is gone within 5 s
    assert.deepEqual(left, []);
    assert.ok(s < 5, `${s} s`);
    sock.destroy();
  }
  const ok = await rawRequest(srv.port, Buffer.from(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
  assert.equal(ok.status, 200);
});
