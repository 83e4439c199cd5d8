// Error messages are for people: whichever layer refuses a request (HTTP,
// store, ingest, media), the message is a sentence that starts with a
// capital letter and ends with a period.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formOf, makePng } from '../lib/images.mjs';

let srv, token, project, category;
before(async () => {
  ({ srv, token } = await startWithAdmin());
  project = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Messages' } })).json;
  category = (await srv.req('POST', `/api/v1/projects/${project.id}/categories`, { token, body: { name: 'cat' } })).json;
});
after(async () => { await srv.close(); });

const SENTENCE = /^[A-Z].*[.!?]$/s;
const json = { 'content-type': 'application/json' };

function assertSentence(message, what) {
  assert.equal(typeof message, 'string', what);
  assert.match(message, SENTENCE, `${what}: ${JSON.stringify(message)}`);
}

test('every refusal across the API reads as a sentence', async () => {
  // given: one bad request of each kind, from each handler
  const p = `/api/v1/projects/${project.id}`;
  const cases = [
    ['GET', '/api/v1/nowhere', {}, 404],
    ['DELETE', '/api/v1/projects', {}, 405],
    ['GET', '/api/v1/projects', { token: 'tsk_not_a_token' }, 401],
    ['GET', '/api/v1/projects', { token: null }, 401],
    ['POST', '/api/v1/projects', { body: '{"name":', headers: json }, 400],
    ['POST', '/api/v1/projects', { body: '', headers: json }, 400],
    ['POST', '/api/v1/projects', { body: '[1]', headers: json }, 400],
    ['POST', '/api/v1/projects', { body: {} }, 400],
    ['POST', '/api/v1/projects', { body: { name: 42 } }, 400],
    ['POST', '/api/v1/projects', { body: { name: 'x', color: 'red' } }, 400],
    ['POST', '/api/v1/projects', { body: { name: 'x', task_type: 'keypoints' } }, 400],
    ['POST', '/api/v1/projects', { body: { name: '' } }, 400],
    ['GET', '/api/v1/projects/999999', {}, 404],
    ['POST', `${p}/categories`, { body: { name: 'Cat' } }, 409],
    ['PATCH', `${p}/categories/${category.id}`, { body: { state: 'deleted' } }, 400],
    ['PUT', `${p}/categories/order`, { body: { order: 'abc' } }, 400],
    ['PUT', `${p}/categories/order`, { body: { order: [-1] } }, 400],
    ['GET', `${p}/categories?include_deleted=maybe`, {}, 400],
    ['GET', `${p}/assets?status=weird`, {}, 400],
    ['GET', `${p}/assets?limit=0`, {}, 400],
    ['GET', `${p}/assets?cursor=zzz`, {}, 400],
    ['GET', `${p}/assets?category_id=-3`, {}, 400],
    ['POST', `${p}/assets`, { body: { not: 'multipart' } }, 415],
    ['GET', '/api/v1/assets/999999', {}, 404],
    ['PUT', '/api/v1/assets/999999/annotation', { body: { status: 'approved' } }, 404],
    ['POST', `${p}/annotations/bulk`, { body: { action: 'delete', asset_ids: [1] } }, 400],
    ['POST', `${p}/annotations/bulk`, { body: { action: 'approve' } }, 400],
    ['POST', `${p}/exports`, { body: { statuses: [] } }, 400],
    ['POST', `${p}/exports`, { body: { statuses: ['nope'] } }, 400],
    ['GET', '/api/v1/exports/999999', {}, 404],
    ['POST', '/api/v1/auth/login', { token: null, body: { name: 'admin', password: 'wrong password' } }, 401],
  ];

  // when: each is sent; then: the status is the expected one and the message a sentence
  for (const [method, path, opts, status] of cases) {
    const r = await srv.req(method, path, { token: 'token' in opts ? opts.token ?? undefined : token, ...opts });
    const what = `${method} ${path}`;
    assert.equal(r.status, status, `${what}: ${r.text}`);
    assert.ok(r.json?.error, `${what}: ${r.text}`);
    assertSentence(r.json.error.message, what);
  }
});

test('a bad annotation and a refused bulk item read as sentences too', async () => {
  // given: one image, unlabeled
  const png = await makePng(8, 8);
  const up = await srv.req('POST', `/api/v1/projects/${project.id}/assets`, { token, body: formOf([{ name: 'a.png', bytes: png }]) });
  assert.equal(up.status, 201);
  const asset = up.json.assets[0];

  // when: it is approved without a category, alone and in bulk
  const one = await srv.req('PUT', `/api/v1/assets/${asset.id}/annotation`, { token, body: { status: 'approved' } });
  const bulk = await srv.req('POST', `/api/v1/projects/${project.id}/annotations/bulk`, {
    token,
    body: { action: 'approve', asset_ids: [asset.id] },
  });

  // then: both refusals are sentences
  assert.ok(one.status >= 400 && one.status < 500, one.text);
  assertSentence(one.json.error.message, 'PUT annotation');
  assert.equal(bulk.status, 200, bulk.text);
  const refused = bulk.json.results.find((x) => !x.ok);
  assert.ok(refused, bulk.text);
  assertSentence(refused.error.message, 'bulk result');
});

test('each refused file of an upload has a sentence as its reason', async () => {
  // given: an empty file, a text file named .jpg and a truncated PNG beside a good one
  const png = await makePng(16, 16);
  const form = formOf([
    { name: 'empty.png', bytes: Buffer.alloc(0) },
    { name: 'text.jpg', bytes: Buffer.from('not an image') },
    { name: 'cut.png', bytes: png.subarray(0, 40) },
    { name: 'ok.png', bytes: await makePng(12, 12) },
  ]);

  // when: they are uploaded together
  const r = await srv.req('POST', `/api/v1/projects/${project.id}/assets`, { token, body: form });

  // then: the good one goes in, and each refusal explains itself in a sentence
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.assets.length, 1);
  assert.equal(r.json.errors.length, 3);
  for (const e of r.json.errors) assertSentence(e.message, e.file_name);
});

test('a normal start logs no warnings', () => {
  // given: the server started by before(); then: its log holds no warn or error line
  const bad = srv.log.split('\n').filter((l) => / (warn|error) /.test(l));
  assert.deepEqual(bad, []);
});

test('a failed export explains itself in a sentence', async () => {
  // given: an approved image whose stored original has gone missing
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Broken export' } })).json;
  const c = (await srv.req('POST', `/api/v1/projects/${p.id}/categories`, { token, body: { name: 'cat' } })).json;
  const up = await srv.req('POST', `/api/v1/projects/${p.id}/assets`, { token, body: formOf([{ name: 'x.png', bytes: await makePng(20, 20) }]) });
  const a = up.json.assets[0];
  await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { category_ids: [c.id] } });
  await srv.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { status: 'approved' } });
  const hex = a.checksum_sha256;
  await rm(join(srv.dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex), { force: true });

  // when: it is exported
  const ex = (await srv.req('POST', `/api/v1/projects/${p.id}/exports`, { token, body: {} })).json;
  let got;
  for (let i = 0; i < 200; i++) {
    got = (await srv.req('GET', `/api/v1/exports/${ex.id}`, { token })).json;
    if (got.state === 'failed' || got.state === 'ready') break;
    await new Promise((r) => setTimeout(r, 50));
  }

  // then: it failed, and says why in a sentence
  assert.equal(got.state, 'failed', JSON.stringify(got));
  assertSentence(got.error, 'export error');
});
