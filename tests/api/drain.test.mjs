// Draining: told to stop with SIGTERM, a process first says it is not
// ready (so a load balancer sends it nothing new) for TESSERA_DRAIN_S
// seconds, still serving what comes and finishing what is in flight, then
// exits cleanly. /healthz answers 200 for as long as it is alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startWithAdmin } from '../lib/server.mjs';
import { tinyPng } from '../lib/tinypng.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A multipart upload of one file, stopped before its end; finish() sends
// the rest and resolves to the answer's status.
async function slowUpload(srv, token, pid) {
  const png = tinyPng(7, 64, 64);
  const head = Buffer.from('--BND\r\nContent-Disposition: form-data; name="file"; filename="late.png"\r\n' +
    'Content-Type: image/png\r\n\r\n');
  const tail = Buffer.from('\r\n--BND--\r\n');
  const sock = connect(srv.port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise((r) => sock.on('connect', r));
  let answer = '';
  sock.on('data', (d) => { answer += d; });
  const closed = new Promise((r) => sock.on('close', r));
  sock.write(`POST /api/v1/projects/${pid}/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
    `Authorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=BND\r\n` +
    `Content-Length: ${head.length + png.length + tail.length}\r\n\r\n`);
  sock.write(Buffer.concat([head, png.subarray(0, 40)]));
  return {
    async finish() {
      sock.write(Buffer.concat([png.subarray(40), tail]));
      await closed;
      return Number(answer.split(' ')[1]);
    },
  };
}

test('on SIGTERM, readyz says "draining" for the grace period while requests are served, then the process exits 0', async () => {
  const { srv, token } = await startWithAdmin({ env: { TESSERA_DRAIN_S: '3' } });
  try {
    const pid = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Drain' } })).json.id;
    assert.equal((await srv.req('GET', '/readyz')).status, 200);
    // given a request in flight
    const up = await slowUpload(srv, token, pid);
    await sleep(100);
    // when the process is told to stop
    const proc = srv.proc;
    const t0 = Date.now();
    proc.kill('SIGTERM');
    // then readyz answers 503 "draining" at once, healthz 200, and new
    // requests are still answered
    let ready;
    for (let i = 0; i < 50; i++) {
      ready = await srv.req('GET', '/readyz');
      if (ready.status === 503) break;
      await sleep(20);
    }
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.json, { status: 'unavailable', reason: 'draining' });
    assert.equal((await srv.req('GET', '/healthz')).status, 200);
    const me = await srv.req('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.json.name, 'admin');
    assert.ok(Date.now() - t0 < 3000, 'all within the grace period');
    // and the request in flight completes
    assert.equal(await up.finish(), 201);
    // and the process exits cleanly once the grace period is over
    const { code } = await proc.exitPromise;
    const took = Date.now() - t0;
    assert.equal(code, 0, srv.log.slice(-2000));
    assert.ok(took >= 2900, `exited after ${took} ms, before the grace period ended`);
    assert.ok(took < 10000, `exited after ${took} ms`);
    assert.match(srv.log, /draining for 3 s/);
    // what was written during the drain is there after a restart
    srv.proc = null;
    await srv.start();
    const list = await srv.req('GET', `/api/v1/projects/${pid}/assets`, { token });
    assert.deepEqual(list.json.assets.map((a) => a.file_name), ['late.png']);
  } finally {
    await srv.close();
  }
});

test('a second signal during the drain, or SIGINT, stops at once', async () => {
  const { srv } = await startWithAdmin({ env: { TESSERA_DRAIN_S: '60' } });
  try {
    let proc = srv.proc;
    const t0 = Date.now();
    proc.kill('SIGTERM');
    for (let i = 0; i < 50 && (await srv.req('GET', '/readyz')).status !== 503; i++) await sleep(20);
    proc.kill('SIGTERM');
    assert.equal((await proc.exitPromise).code, 0);
    assert.ok(Date.now() - t0 < 10000, 'the 60 s drain was cut short');
    assert.match(srv.log, /second signal: stopping now/);

    srv.proc = null;
    await srv.start();
    proc = srv.proc;
    const t1 = Date.now();
    proc.kill('SIGINT');
    assert.equal((await proc.exitPromise).code, 0);
    assert.ok(Date.now() - t1 < 10000, 'SIGINT does not drain');
    srv.proc = null;
    await srv.start();
    // stopped with SIGINT: the SIGTERM of close() would drain for 60 s
    assert.equal((await srv.stop('SIGINT')).code, 0);
  } finally {
    await srv.close();
  }
});
