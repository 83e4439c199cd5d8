// Model-assisted labeling against the real server and ONNX Runtime, with
// the tiny models of tests/models (a colour classifier and a second one
// trained differently, on NHWC BGR input): registering and its refusals,
// suggestions computed from images made here (solid red, green, blue),
// outcomes and their counts, the labels_hash rule, batch runs with
// superseding and a model that fails when run, active sampling, and a
// server without ONNX Runtime.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startWithAdmin, startServer, ROOT, SANITIZED, tmpFiles } from '../lib/server.mjs';
import { solidPng } from '../lib/tinypng.mjs';
import { rawRequest } from '../lib/raw.mjs';

const MODELS = join(ROOT, 'tests', 'models');
const WAIT_MS = SANITIZED ? 60000 : 20000;
let srv, token, pid, hash;
const asset = {};
const model = {};

const api = (method, path, body, tok = token) => srv.req(method, path, { token: tok, body });

async function upload(projectId, files) {
  const fd = new FormData();
  for (const [name, bytes] of files) fd.append('file', new Blob([bytes], { type: 'image/png' }), name);
  const r = await srv.req('POST', `/api/v1/projects/${projectId}/assets`, { token, body: fd });
  assert.equal(r.status, 201, r.text);
  return r.json.assets;
}

async function meta(name, changes = {}) {
  const m = JSON.parse(await readFile(join(MODELS, name), 'utf8'));
  return { ...m, labels_hash: hash, ...changes };
}

async function register(projectId, onnx, metadata, tok = token) {
  const fd = new FormData();
  if (onnx !== null) fd.append('file', new Blob([onnx]), 'model.onnx');
  if (metadata !== null) fd.append('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata));
  return srv.req('POST', `/api/v1/projects/${projectId}/models`, { token: tok, body: fd });
}

const onnx = (name) => readFile(join(MODELS, name));

async function blobCount() {
  let n = 0;
  const base = join(srv.dataDir, 'blobs', 'sha256');
  for (const d of await readdir(base).catch(() => [])) n += (await readdir(join(base, d))).length;
  return n;
}

async function waitRun(projectId, id) {
  const end = Date.now() + WAIT_MS;
  for (;;) {
    const r = await api('GET', `/api/v1/projects/${projectId}/runs/${id}`);
    assert.equal(r.status, 200, r.text);
    if (!['queued', 'running'].includes(r.json.state)) return r.json;
    assert.ok(Date.now() < end, `run ${id} still ${r.json.state}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

before(async () => {
  ({ srv, token } = await startWithAdmin());
  pid = (await api('POST', '/api/v1/projects', { name: 'colours', task_type: 'classification_single' })).json.id;
  for (const name of ['red', 'green', 'blue']) {
    assert.equal((await api('POST', `/api/v1/projects/${pid}/categories`, { name })).status, 201);
  }
  const up = await upload(pid, [['red.png', solidPng([230, 20, 20])], ['green.png', solidPng([20, 220, 30])],
    ['blue.png', solidPng([10, 30, 240])], ['teal.png', solidPng([10, 160, 170])]]);
  [asset.red, asset.green, asset.blue, asset.teal] = up.map((a) => a.id);
  const list = await api('GET', `/api/v1/projects/${pid}/models`);
  assert.equal(list.status, 200);
  hash = list.json.categories_hash;
});
after(async () => { await srv?.close(); });

test('a project starts without models; its categories_hash is the manifest one', async () => {
  const r = await api('GET', `/api/v1/projects/${pid}/models`);
  assert.deepEqual(r.json.models, []);
  assert.equal(r.json.inference_available, true);
  assert.match(r.json.categories_hash, /^sha256:[0-9a-f]{64}$/);
  // Python's json.dumps([{"id":..,"name":..}], separators=(",", ":")) of the id-sorted list
  const { createHash } = await import('node:crypto');
  const text = JSON.stringify([{ id: 1, name: 'red' }, { id: 2, name: 'green' }, { id: 3, name: 'blue' }]);
  assert.equal(r.json.categories_hash, `sha256:${createHash('sha256').update(text).digest('hex')}`);
});

test('models register after a check; the first one becomes active', async () => {
  const a = await register(pid, await onnx('colour_a.onnx'), await meta('colour_a.json'));
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.active, true);
  assert.equal(a.json.labels_hash_ok, true);
  assert.equal(a.json.warning, null);
  assert.deepEqual(a.json.outputs, [1, 2, 3]);
  assert.equal(a.json.input.layout, 'nchw');
  const b = await register(pid, await onnx('colour_b.onnx'), await meta('colour_b.json'));
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.active, false);
  assert.equal(b.json.input.channels, 'bgr');
  model.a = a.json.id;
  model.b = b.json.id;
  const list = await api('GET', `/api/v1/projects/${pid}/models`);
  assert.deepEqual(list.json.models.map((m) => m.id), [model.b, model.a]);
});

test('suggestions name the colour of solid images, from both models', async () => {
  for (const [colour, cat] of [['red', 1], ['green', 2], ['blue', 3]]) {
    for (const m of ['active', model.b]) {
      const r = await api('GET', `/api/v1/assets/${asset[colour]}/suggestions?model=${m}`);
      assert.equal(r.status, 200, r.text);
      const s = r.json.suggestion;
      assert.deepEqual(s.payload.category_ids, [cat], `${colour} by model ${m}`);
      assert.equal(s.payload.type, 'classification');
      assert.equal(s.payload.scores.length, 3);
      assert.equal(s.payload.scores[0].category_id, cat);
      assert.ok(s.score > 0.5 && s.score <= 1, `score ${s.score}`);
      assert.equal(s.status, 'pending');
      assert.equal(s.model_id, m === 'active' ? model.a : model.b);
    }
  }
  // Stored: asking again gives the same suggestion.
  const one = await api('GET', `/api/v1/assets/${asset.red}/suggestions`);
  const two = await api('GET', `/api/v1/assets/${asset.red}/suggestions?model=active`);
  assert.equal(one.json.suggestion.suggestion_id, two.json.suggestion.suggestion_id);
  // A suggestion never becomes an annotation by itself.
  const ann = await api('GET', `/api/v1/assets/${asset.red}/annotation`);
  assert.equal(ann.json.status, 'unlabeled');
});

test('outcomes are recorded and counted per model and category, overrides included', async () => {
  const red = (await api('GET', `/api/v1/assets/${asset.red}/suggestions`)).json.suggestion;
  const green = (await api('GET', `/api/v1/assets/${asset.green}/suggestions`)).json.suggestion;
  assert.equal((await api('PUT', `/api/v1/assets/${asset.red}/annotation`, { category_ids: [1] })).status, 200);
  const acc = await api('POST', `/api/v1/assets/${asset.red}/suggestions/${red.suggestion_id}/review`, { category_ids: [1] });
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.json.status, 'accepted');
  assert.equal(acc.json.reviewed_by, 'admin');
  const rej = await api('POST', `/api/v1/assets/${asset.green}/suggestions/${green.suggestion_id}/review`, { category_ids: [3] });
  assert.equal(rej.json.status, 'rejected');
  assert.deepEqual(rej.json.chosen_category_ids, [3]);
  // the suggestion of another asset is not this one's
  assert.equal((await api('POST', `/api/v1/assets/${asset.blue}/suggestions/${green.suggestion_id}/review`, { category_ids: [3] })).status, 404);
  let st = (await api('GET', `/api/v1/projects/${pid}/suggestions/stats`)).json;
  let a = st.models.find((m) => m.model_id === model.a);
  assert.equal(a.counts.accepted, 1);
  assert.equal(a.counts.rejected, 1);
  assert.equal(a.counts.overridden, 0);
  // a reviewer changes the label later: the accepted suggestion is overridden
  assert.equal((await api('PUT', `/api/v1/assets/${asset.red}/annotation`, { category_ids: [2] })).status, 200);
  st = (await api('GET', `/api/v1/projects/${pid}/suggestions/stats`)).json;
  a = st.models.find((m) => m.model_id === model.a);
  assert.equal(a.counts.overridden, 1);
  assert.deepEqual(a.per_category.find((c) => c.category_id === 1).counts.accepted, 1);
  assert.deepEqual(a.per_category.find((c) => c.category_id === 2).counts.rejected, 1);
});

test('bad models and metadata are refused with a 4xx, and nothing is stored', async () => {
  const before = await blobCount();
  const good = await onnx('colour_a.onnx');
  const cases = [
    [await register(pid, Buffer.from('definitely not a model, just text'), await meta('colour_a.json')), 400, 'invalid_model'],
    [await register(pid, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)), await meta('colour_a.json')), 400, 'invalid_model'],
    [await register(pid, good.subarray(0, Math.floor(good.length / 2)), await meta('colour_a.json')), 400, 'invalid_model'],
    [await register(pid, Buffer.alloc(0), await meta('colour_a.json')), 400, 'invalid_model'],
    [await register(pid, await onnx('dynamic.onnx'), await meta('colour_a.json')), 400, 'model_input_mismatch'],
    [await register(pid, await onnx('huge.onnx'), await meta('colour_a.json')), 400, 'model_input_mismatch'],
    [await register(pid, good, await meta('colour_a.json', { input: { ...(await meta('colour_a.json')).input, width: 16 } })), 400, 'model_input_mismatch'],
    [await register(pid, good, await meta('colour_a.json', { outputs: [1, 2] })), 400, 'model_output_mismatch'],
    [await register(pid, good, await meta('colour_a.json', { outputs: [1, 2, 3, 4] })), 400, 'invalid_metadata'],
    [await register(pid, good, await meta('colour_a.json', { outputs: [1, 2, 9] })), 400, 'invalid_metadata'],
    [await register(pid, good, await meta('colour_a.json', { input: { width: 8 } })), 400, 'invalid_metadata'],
    [await register(pid, good, await meta('colour_a.json', { task_type: 'classification_multi' })), 400, 'invalid_metadata'],
    [await register(pid, good, await meta('colour_a.json', { labels_hash: 'abc' })), 400, 'invalid_metadata'],
    [await register(pid, good, '{"name": '), 400, 'invalid_metadata'],
    [await register(pid, good, null), 400, 'invalid_metadata'],
    [await register(pid, null, await meta('colour_a.json')), 400, 'missing_file'],
  ];
  for (const [r, status, code] of cases) {
    assert.equal(r.status, status, r.text);
    assert.equal(r.json.error.code, code, r.text);
    assert.match(r.json.error.message, /\.$/);
  }
  assert.equal((await api('GET', `/api/v1/projects/${pid}/models`)).json.models.length, 2);
  assert.equal(await blobCount(), before);
  const tmp = await tmpFiles(srv.dataDir);
  assert.deepEqual(tmp.filter((f) => f.endsWith('.upload')), []);
});

test('a 2 GB upload is refused with 413 before its body is read', async () => {
  const boundary = 'b0undary';
  const head = [`POST /api/v1/projects/${pid}/models HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`,
    `Authorization: Bearer ${token}`, `Content-Type: multipart/form-data; boundary=${boundary}`,
    'Content-Length: 2147483648', '', `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.onnx"\r\n\r\n`];
  const t0 = Date.now();
  const r = await rawRequest(srv.port, Buffer.from(head.join('\r\n')), { idleMs: 1500 });
  assert.equal(r.status, 413, r.raw?.slice(0, 300));
  assert.equal(r.json.error.code, 'file_too_large');
  assert.ok(Date.now() - t0 < 10000);
  assert.equal((await api('GET', `/api/v1/projects/${pid}/models`)).json.models.length, 2);
});

test('a suggestion for another project\'s asset is refused', async () => {
  const other = (await api('POST', '/api/v1/projects', { name: 'other' })).json.id;
  const [a] = await upload(other, [['o.png', solidPng([200, 0, 0], 8, 8)]]);
  // the model of project 1 does not serve project 2's asset
  const r = await api('GET', `/api/v1/assets/${a.id}/suggestions?model=${model.a}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'model_not_found');
  // project 2 has no active model: no suggestion, not an error
  assert.deepEqual((await api('GET', `/api/v1/assets/${a.id}/suggestions`)).json, { suggestion: null });
  // someone who is not a member of project 1 cannot ask for its suggestions
  const eve = await srv.addUser('eve');
  assert.equal((await api('GET', `/api/v1/assets/${asset.blue}/suggestions`, undefined, eve)).status, 404);
  assert.equal((await api('GET', `/api/v1/assets/${asset.blue}/suggestions?model=zero`)).status, 400);
});

test('the active model can be switched and unset', async () => {
  let r = await api('PATCH', `/api/v1/projects/${pid}/models/${model.b}`, { active: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.active, true);
  const list = (await api('GET', `/api/v1/projects/${pid}/models`)).json.models;
  assert.deepEqual(list.filter((m) => m.active).map((m) => m.id), [model.b]);
  r = await api('PATCH', `/api/v1/projects/${pid}/models/${model.b}`, { active: false });
  assert.equal(r.json.active, false);
  assert.deepEqual((await api('GET', `/api/v1/assets/${asset.teal}/suggestions`)).json, { suggestion: null });
  assert.equal((await api('PATCH', `/api/v1/projects/${pid}/models/${model.a}`, { active: true })).status, 200);
  assert.equal((await api('PATCH', `/api/v1/projects/${pid}/models/999999`, { active: true })).status, 404);
});

test('a batch run suggests for many images and supersedes the older model\'s', async () => {
  const blueA = (await api('GET', `/api/v1/assets/${asset.blue}/suggestions?model=${model.a}`)).json.suggestion;
  assert.equal(blueA.status, 'pending');
  const start = await api('POST', `/api/v1/projects/${pid}/suggestions/batch`, { model_id: model.b, status: 'unlabeled' });
  assert.equal(start.status, 202, start.text);
  assert.equal(start.json.kind, 'batch');
  const run = await waitRun(pid, start.json.id);
  assert.equal(run.state, 'done', JSON.stringify(run));
  // red was labeled above; green, blue and teal are unlabeled (the
  // earlier suggestions of B for green and blue are pending: left out)
  assert.equal(run.total, 1);
  assert.equal(run.done, 1);
  assert.equal(run.failed, 0);
  const teal = (await api('GET', `/api/v1/assets/${asset.teal}/suggestions?model=${model.b}`)).json.suggestion;
  assert.equal(teal.status, 'pending');
  // a second run of B over all images: A's pending ones become superseded
  const again = await api('POST', `/api/v1/projects/${pid}/suggestions/batch`, { model_id: model.b, status: 'all', limit: 10 });
  const r2 = await waitRun(pid, again.json.id);
  assert.equal(r2.state, 'done');
  const after = (await api('GET', `/api/v1/assets/${asset.blue}/suggestions?model=${model.a}`)).json.suggestion;
  assert.equal(after.status, 'superseded');
  const rev = await api('POST', `/api/v1/assets/${asset.blue}/suggestions/${after.suggestion_id}/review`, { category_ids: [3] });
  assert.equal(rev.status, 409);
  assert.equal(rev.json.error.code, 'suggestion_superseded');
  const runs = (await api('GET', `/api/v1/projects/${pid}/runs`)).json.runs;
  assert.deepEqual(runs.slice(0, 2).map((x) => x.id), [again.json.id, start.json.id]);
});

test('a model that fails when run: the run records it, the server keeps serving', async () => {
  const reg = await register(pid, await onnx('throws.onnx'), await meta('colour_a.json', { name: 'throws' }));
  assert.equal(reg.status, 201, reg.text);
  const one = await api('GET', `/api/v1/assets/${asset.teal}/suggestions?model=${reg.json.id}`);
  assert.equal(one.status, 422);
  assert.equal(one.json.error.code, 'inference_failed');
  const start = await api('POST', `/api/v1/projects/${pid}/suggestions/batch`, { model_id: reg.json.id, status: 'all' });
  const run = await waitRun(pid, start.json.id);
  assert.equal(run.state, 'done');
  assert.equal(run.failed, run.total);
  assert.ok(run.total >= 3);
  assert.match(run.error, /asset \d+: /);
  assert.equal((await api('GET', '/healthz')).status, 200);
  assert.equal((await api('GET', `/api/v1/assets/${asset.teal}/suggestions?model=${model.a}`)).status, 200);
});

test('sampling runs rank the unlabeled images', async () => {
  const bad = await api('POST', `/api/v1/projects/${pid}/sampling`, { strategy: 'guess' });
  assert.equal(bad.json.error.code, 'invalid_strategy');
  const one = await api('POST', `/api/v1/projects/${pid}/sampling`, { strategy: 'disagreement', model_ids: [model.a] });
  assert.equal(one.status, 400);
  assert.equal(one.json.error.code, 'invalid_strategy');
  for (const [strategy, body] of [['entropy', {}], ['margin', { model_ids: [model.b] }],
    ['disagreement', { model_ids: [model.a, model.b] }], ['coverage', {}]]) {
    const r = await api('POST', `/api/v1/projects/${pid}/sampling`, { strategy, ...body });
    assert.equal(r.status, 202, r.text);
    const run = await waitRun(pid, r.json.id);
    assert.equal(run.state, 'done', JSON.stringify(run));
    assert.equal(run.strategy, strategy);
    const ids = run.ranks.map((x) => x.asset_id).sort((x, y) => x - y);
    assert.deepEqual(ids, [asset.green, asset.blue, asset.teal].sort((x, y) => x - y), strategy);
    assert.deepEqual(run.ranks.map((x) => x.rank), [1, 2, 3]);
    for (let i = 1; i < run.ranks.length; i++) assert.ok(run.ranks[i - 1].score >= run.ranks[i].score);
    if (strategy === 'entropy' || strategy === 'disagreement') {
      // teal, between green and blue, is the one the models are least sure of
      assert.equal(run.ranks[0].asset_id, asset.teal, `${strategy}: ${JSON.stringify(run.ranks)}`);
    }
  }
});

test('the asset list and the queue follow suggestions and the latest sampling run', async () => {
  const sug = await api('GET', `/api/v1/projects/${pid}/assets?suggested=true`);
  assert.equal(sug.status, 200, sug.text);
  assert.ok(sug.json.assets.length >= 1);
  for (const a of sug.json.assets) assert.equal(a.suggested, true);
  const all = (await api('GET', `/api/v1/projects/${pid}/assets`)).json.assets;
  assert.deepEqual(all.filter((a) => a.suggested).map((a) => a.id), sug.json.assets.map((a) => a.id));
  for (const a of all) assert.ok(a.suggested === true || !('suggested' in a));
  assert.equal((await api('GET', `/api/v1/projects/${pid}/assets?suggested=yes`)).status, 400);
  // the latest sampling run was the coverage one
  const runs = (await api('GET', `/api/v1/projects/${pid}/runs`)).json.runs;
  const latest = (await api('GET', `/api/v1/projects/${pid}/runs/${runs.find((x) => x.kind === 'sampling').id}`)).json;
  assert.equal(latest.strategy, 'coverage');
  const ordered = await api('GET', `/api/v1/projects/${pid}/assets?order=sampling&limit=2`);
  assert.equal(ordered.status, 200, ordered.text);
  assert.deepEqual(ordered.json.assets.map((a) => a.id), latest.ranks.slice(0, 2).map((x) => x.asset_id));
  const rest = await api('GET', `/api/v1/projects/${pid}/assets?order=sampling&limit=2&cursor=${ordered.json.next_cursor}`);
  assert.deepEqual(rest.json.assets.map((a) => a.id), latest.ranks.slice(2).map((x) => x.asset_id));
  const q = await api('POST', `/api/v1/projects/${pid}/queue/next`, { order: 'sampling', limit: 10 });
  assert.equal(q.status, 200, q.text);
  assert.deepEqual(q.json.assets.map((a) => a.id), latest.ranks.map((x) => x.asset_id));
  await api('POST', `/api/v1/projects/${pid}/queue/release`, {});
  const qs = await api('POST', `/api/v1/projects/${pid}/queue/next`, { suggested: true, limit: 10 });
  assert.equal(qs.status, 200, qs.text);
  assert.ok(qs.json.assets.length >= 1);
  for (const a of qs.json.assets) assert.equal(a.suggested, true);
  await api('POST', `/api/v1/projects/${pid}/queue/release`, {});
  assert.equal((await api('POST', `/api/v1/projects/${pid}/queue/next`, { order: 'best' })).status, 400);
});

test('a run can be cancelled', async () => {
  const r = await api('POST', `/api/v1/projects/${pid}/suggestions/batch`, { model_id: model.a, status: 'all' });
  const c = await api('POST', `/api/v1/projects/${pid}/runs/${r.json.id}/cancel`);
  assert.equal(c.status, 200);
  const run = await waitRun(pid, r.json.id);
  assert.ok(['cancelled', 'done'].includes(run.state));
  if (run.state === 'cancelled') assert.ok(run.done <= run.total);
  assert.equal((await api('POST', `/api/v1/projects/${pid}/runs/999999/cancel`)).status, 404);
});

test('a model trained on other categories is listed with a warning and refused (409)', async () => {
  assert.equal((await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'yellow' })).status, 201);
  const list = (await api('GET', `/api/v1/projects/${pid}/models`)).json;
  assert.notEqual(list.categories_hash, hash);
  const a = list.models.find((m) => m.id === model.a);
  assert.equal(a.labels_hash_ok, false);
  assert.match(a.warning, /categories changed/);
  const r = await api('GET', `/api/v1/assets/${asset.teal}/suggestions`);
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'labels_hash_mismatch');
  assert.equal(r.json.error.details.model_labels_hash, hash);
  assert.equal(r.json.error.details.categories_hash, list.categories_hash);
  const b = await api('POST', `/api/v1/projects/${pid}/suggestions/batch`, { model_id: model.a });
  assert.equal(b.status, 409);
});

test('without ONNX Runtime, model features answer 503 and the rest works', async () => {
  const s2 = await startServer({ env: { TESSERA_ONNXRUNTIME: '/nonexistent/libonnxruntime.so.1' } });
  try {
    const tok = await s2.addUser('root', { admin: true });
    const p = (await s2.req('POST', '/api/v1/projects', { token: tok, body: { name: 'plain' } })).json.id;
    const list = await s2.req('GET', `/api/v1/projects/${p}/models`, { token: tok });
    assert.equal(list.status, 200);
    assert.equal(list.json.inference_available, false);
    const fd = new FormData();
    fd.append('file', new Blob([await onnx('colour_a.onnx')]), 'm.onnx');
    fd.append('metadata', '{}');
    const r = await s2.req('POST', `/api/v1/projects/${p}/models`, { token: tok, body: fd });
    assert.equal(r.status, 503);
    assert.equal(r.json.error.code, 'inference_unavailable');
    assert.equal((await s2.req('GET', '/api/v1/projects', { token: tok })).status, 200);
  } finally {
    await s2.close();
  }
});
