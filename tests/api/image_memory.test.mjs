// Tiny images that claim to be huge must not take the server's memory.
// Each attack runs against a fresh server, and the server's own peak
// resident size (VmHWM in /proc/<pid>/status) must stay under 400 MB:
//  - eight concurrent 4 KB WebPs of 10000 x 10000 (refused from the header);
//  - four 1 KB HEICs whose header claims 10000 x 10000 (refused likewise);
//  - eight concurrent thumbnail requests for one fresh HEIC (decoded once);
//  - eight concurrent thumbnail requests for eight interlaced 25 MP RGBA PNGs
//    (whole-frame decodes: the decode budget runs them one or two at a time).
// Under the sanitizers, shadow memory and quarantine make RSS meaningless:
// the attacks still run (fewer of the heavy ones) and every answer is
// checked, but the 400 MB figure is not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { startWithAdmin, SANITIZED } from '../lib/server.mjs';
import { heicClaiming, solidImage, sha256 } from '../lib/images.mjs';

const LIMIT_MB = 400;

async function peakMb(srv) {
  const status = await readFile(`/proc/${srv.proc.pid}/status`, 'utf8');
  const m = status.match(/^VmHWM:\s+(\d+) kB/m);
  assert.ok(m, 'no VmHWM in /proc/<pid>/status');
  return Number(m[1]) / 1024;
}

async function withServer(fn, env) {
  const { srv, token } = await startWithAdmin({ env: { ...(env || {}), ...(process.env.TESSERA_TEST_BUDGET_MB ? { TESSERA_DECODE_BUDGET_MB: process.env.TESSERA_TEST_BUDGET_MB } : {}) } });
  try {
    const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Hostile' } })).json;
    await fn(srv, token, p.id);
    const mb = await peakMb(srv);
    console.log(`# peak RSS ${mb.toFixed(0)} MB`);
    if (!SANITIZED) assert.ok(mb < LIMIT_MB, `peak RSS ${mb.toFixed(0)} MB`);
    return mb;
  } finally {
    await srv.close();
  }
}

// GET on its own connection (fetch's pool may queue requests to one
// origin): the attack needs them truly concurrent. Resolves to
// { status, body }.
function getAlone(srv, path, token) {
  return new Promise((resolve, reject) => {
    get(srv.url + path, { agent: false, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function upload(srv, token, pid, name, bytes) {
  const fd = new FormData();
  fd.append('file', new Blob([bytes]), name);
  return srv.req('POST', `/api/v1/projects/${pid}/assets`, { token, body: fd });
}

test('given eight concurrent uploads of 4 KB WebPs of 10000 x 10000, each is refused from its header naming the limit, and peak RSS stays under 400 MB', async () => {
  const base = await solidImage(10000, 10000, 'webp', '[lossless]');
  assert.ok(base.length < 16384, `the WebP is ${base.length} bytes`);
  await withServer(async (srv, token, pid) => {
    // Distinct bytes (a trailing byte after the RIFF data) so none is a duplicate.
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      upload(srv, token, pid, `big_${i}.webp`, Buffer.concat([base, Buffer.from([i])]))));
    for (const r of rs) {
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.errors[0].code, 'too_many_pixels');
      assert.match(r.json.errors[0].message, /10000 x 10000 pixels; the limit for WebP images is 30000000 pixels/);
    }
  });
});

test('given four 1 KB HEICs claiming 10000 x 10000, each is refused from its header, and peak RSS stays under 400 MB', async () => {
  await withServer(async (srv, token, pid) => {
    const files = await Promise.all([0, 1, 2, 3].map(async (i) => {
      const b = await heicClaiming(10000, 10000);
      return Buffer.concat([b, Buffer.from([i])]);
    }));
    assert.ok(files[0].length < 2048, `the HEIC is ${files[0].length} bytes`);
    const rs = await Promise.all(files.map((b, i) => upload(srv, token, pid, `claim_${i}.heic`, b)));
    for (const r of rs) {
      assert.equal(r.status, 422, r.text);
      assert.equal(r.json.errors[0].code, 'too_many_pixels');
      assert.match(r.json.errors[0].message, /limit for HEIF images is 30000000 pixels/);
    }
  });
});

test('given eight concurrent thumbnail requests for one fresh HEIC, it is decoded once and all get the same thumbnail, under 400 MB', async () => {
  const heic = await solidImage(2048, 2048, 'heic');
  const busy = await solidImage(4000, 4000, 'png', '[interlace]', 4);
  await withServer(async (srv, token, pid) => {
    // Two slow images first keep both thumbnail workers busy: the HEIC's
    // job is still queued when the eight requests come.
    const fd = new FormData();
    fd.append('file', new Blob([busy]), 'busy_0.png');
    fd.append('file', new Blob([Buffer.concat([busy, Buffer.from([1])])]), 'busy_1.png');
    fd.append('file', new Blob([heic]), 'fresh.heic');
    const r = await srv.req('POST', `/api/v1/projects/${pid}/assets`, { token, body: fd });
    assert.equal(r.status, 201, r.text);
    const a = r.json.assets[2];
    const ts = await Promise.all(Array.from({ length: 8 }, () => getAlone(srv, `/api/v1/assets/${a.id}/thumbnail`, token)));
    for (const t of ts) assert.equal(t.status, 200);
    assert.equal(new Set(ts.map((t) => sha256(t.body))).size, 1);
    // The thumbnail job may have started first: together, one decode.
    await new Promise((res) => setTimeout(res, 200));
    const decodes = srv.log.split('\n').filter((l) => l.includes(`image ${a.checksum_sha256} decoded in full`));
    assert.equal(decodes.length, 1, srv.log.slice(-3000));
    assert.equal((await srv.req('GET', `/api/v1/assets/${a.id}`, { token })).json.decode_state, 'ok');
  });
});

test('given eight concurrent thumbnail requests for eight interlaced 25 MP RGBA PNGs, the decode budget keeps peak RSS under 400 MB', async () => {
  const n = SANITIZED ? 2 : 8;
  // Distinct files from one: a byte after IEND changes the checksum only.
  const one = await solidImage(5000, 5000, 'png', '[interlace]', 4);
  const pngs = Array.from({ length: n }, (_, i) => Buffer.concat([one, Buffer.from([i])]));
  await withServer(async (srv, token, pid) => {
    // One request: the thumbnail requests arrive while the jobs start.
    const fd = new FormData();
    pngs.forEach((b, i) => fd.append('file', new Blob([b]), `il_${i}.png`));
    const r = await srv.req('POST', `/api/v1/projects/${pid}/assets`, { token, body: fd });
    assert.equal(r.status, 201, r.text);
    const ids = r.json.assets.map((a) => a.id);
    const ts = await Promise.all(ids.map((id) => getAlone(srv, `/api/v1/assets/${id}/thumbnail`, token)));
    for (const t of ts) assert.equal(t.status, 200, t.body.toString());
  });
});
