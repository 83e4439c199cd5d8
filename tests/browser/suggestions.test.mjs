/* global document */
// Model-assisted labeling in the browser, with the tiny colour model of
// tests/models and solid colour images it can tell apart: the model is
// registered on the Models tab from its .onnx and metadata file (and a bad
// one is refused in words), a batch run suggests labels (badges on the
// tiles and in the queue), the labeling queue of suggested images is
// answered with A (accepted) and with another label (rejected, the label
// recorded), the counts are read back through the API and on the review
// screen, a sampling run orders the queue, and a new category blocks the
// model (a warning, no A key). Inference needs ONNX Runtime
// (scripts/install-deps): without it these tests skip, saying so; the last
// test checks what the app shows on such a server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../lib/server.mjs';
import { startSession } from '../lib/session.mjs';
import { solidPng } from '../lib/tinypng.mjs';

const MODELS = join(ROOT, 'tests', 'models');
const SKIP = 'ONNX Runtime is not installed (scripts/install-deps installs it): the server answers 503 inference_unavailable';

let session, srv, page, api, pid, hash, available;
const cat = {};
const asset = {};
let modelA;

const currentId = () => page.locator('[data-testid=viewer-img]').getAttribute('data-asset-id').then(Number);

/** Waits until the viewer shows asset `id` with its suggestion read. */
async function showing(id) {
  await page.locator(`[data-testid=viewer-img][data-asset-id="${id}"]`).waitFor();
  await page.locator('[data-testid=suggestion-card][data-state=ready]').waitFor();
}

/** Reads until check(value) holds (the outcome is reported once the label write is acknowledged). */
async function eventually(read, check, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('model-assisted labeling', () => {
  before(async () => {
    session = await startSession({
      setup: async (_srv, _token, a) => {
        pid = (await a('POST', '/api/v1/projects', { name: 'Colours' })).id;
        for (const name of ['red', 'green', 'blue']) cat[name] = (await a('POST', `/api/v1/projects/${pid}/categories`, { name })).id;
        const fd = new FormData();
        const colours = { red: [230, 20, 20], green: [20, 220, 30], blue: [10, 30, 240], teal: [10, 160, 170] };
        for (const [name, rgb] of Object.entries(colours)) fd.append('file', new Blob([solidPng(rgb)], { type: 'image/png' }), `${name}.png`);
        const up = (await a('POST', `/api/v1/projects/${pid}/assets`, fd)).assets;
        [asset.red, asset.green, asset.blue, asset.teal] = up.map((x) => x.id);
        const list = await a('GET', `/api/v1/projects/${pid}/models`);
        hash = list.categories_hash;
        available = list.inference_available;
      },
    });
    ({ srv, page, api } = session);
    // The metadata files name categories 1, 2, 3 (red, green, blue).
    assert.deepEqual([cat.red, cat.green, cat.blue], [1, 2, 3]);
  });

  after(async () => {
    await session?.close();
  });

  test('a model is registered on the Models tab from its .onnx and its metadata file', async (t) => {
    if (!available) return t.skip(SKIP);
    await page.goto(`${srv.url}/projects/${pid}/models`);
    await page.getByRole('form', { name: 'Register a model' }).waitFor();
    await page.getByText('No models yet.').waitFor();
    await page.getByTestId('model-file-input').setInputFiles(join(MODELS, 'colour_a.onnx'));
    await page.getByTestId('metadata-file-input').setInputFiles(join(MODELS, 'colour_a.json'));
    await page.getByTestId('metadata-file').filter({ hasText: 'colour_a.json' }).waitFor();
    assert.equal(await page.locator('#mr-name').inputValue(), 'colour A');
    assert.equal(await page.locator('#mr-width').inputValue(), '8');
    // The file leaves labels_hash empty: the project's current categories_hash is taken.
    assert.equal(await page.locator('#mr-hash').inputValue(), hash);
    await page.getByTestId('register-model').click();
    const row = page.locator('tr.model-row', { hasText: 'colour A' });
    await row.getByTestId('model-active').waitFor();
    assert.equal(await row.getByTestId('labels-hash-warning').count(), 0);
    const list = await api('GET', `/api/v1/projects/${pid}/models`);
    assert.equal(list.models.length, 1);
    modelA = list.models[0];
    assert.equal(modelA.active, true);
    assert.equal(modelA.labels_hash, hash);
    assert.deepEqual(modelA.outputs, [1, 2, 3]);
  });

  test('a model whose input does not fit its metadata is refused in words, and nothing is stored', async (t) => {
    if (!available) return t.skip(SKIP);
    await page.getByTestId('model-file-input').setInputFiles(join(MODELS, 'dynamic.onnx'));
    await page.getByTestId('metadata-file-input').setInputFiles(join(MODELS, 'colour_a.json'));
    await page.getByTestId('register-model').click();
    const err = page.locator('.model-register .form-error');
    await err.waitFor();
    assert.match(await err.textContent(), /Check the input width, height and layout against the model\./);
    assert.equal((await api('GET', `/api/v1/projects/${pid}/models`)).models.length, 1);
  });

  test('a batch run suggests labels for the unlabeled images; tiles carry the badge', async (t) => {
    if (!available) return t.skip(SKIP);
    await page.getByTestId('start-batch').click();
    const done = page.locator('.run-row[data-state=done]');
    await done.waitFor({ timeout: 20_000 });
    assert.equal((await done.getByTestId('run-count').textContent()).trim(), '4 / 4');
    const suggested = await api('GET', `/api/v1/projects/${pid}/assets?suggested=true`);
    assert.deepEqual(suggested.assets.map((a) => a.id).sort((x, y) => x - y), Object.values(asset).sort((x, y) => x - y));
    await page.goto(`${srv.url}/projects/${pid}/assets`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile-suggested]').length === 4);
  });

  test('A accepts a suggestion, another label rejects it; the outcomes are counted', async (t) => {
    if (!available) return t.skip(SKIP);
    await page.goto(`${srv.url}/projects/${pid}/label?filter=unlabeled&queue=suggested`);
    await showing(asset.red);
    assert.equal(await page.getByTestId('queue-mode').inputValue(), 'suggested');
    assert.ok((await page.getByTestId('queue-suggested').count()) >= 1);
    const top = page.getByTestId('suggested-category');
    assert.equal(Number(await top.getAttribute('data-category-id')), cat.red);
    assert.equal((await top.textContent()).trim(), 'red');
    assert.match(await page.getByTestId('suggestion-score').textContent(), /^\d+%$/);
    // The command is listed by ? like every other key.
    await page.keyboard.press('?');
    await page.getByText('Accept the model’s suggestion (and move on)').waitFor();
    await page.keyboard.press('Escape');

    await page.keyboard.press('a'); // accept: red
    await showing(asset.green);
    assert.equal(Number(await top.getAttribute('data-category-id')), cat.green);
    await page.keyboard.press('3'); // blue, not the suggested green: rejected
    await page.locator(`[data-testid=viewer-img][data-asset-id="${asset.blue}"]`).waitFor();
    await page.waitForSelector('[data-testid=save-indicator][data-status=saved]');

    const red = await api('GET', `/api/v1/assets/${asset.red}/annotation`);
    assert.equal(red.status, 'labeled');
    assert.deepEqual(red.category_ids, [cat.red]);
    const green = await api('GET', `/api/v1/assets/${asset.green}/annotation`);
    assert.deepEqual(green.category_ids, [cat.blue]);

    const counted = (s) => s.models?.find((m) => m.model_id === modelA.id)?.counts ?? {};
    const stats = await eventually(
      () => api('GET', `/api/v1/projects/${pid}/suggestions/stats`),
      (s) => counted(s).accepted === 1 && counted(s).rejected === 1,
    );
    const a = stats.models.find((m) => m.model_id === modelA.id);
    assert.equal(a.counts.accepted, 1, JSON.stringify(stats));
    assert.equal(a.counts.rejected, 1);
    assert.equal(a.counts.overridden, 0);
    assert.equal(a.per_category.find((c) => c.category_id === cat.red).counts.accepted, 1);
    assert.equal(a.per_category.find((c) => c.category_id === cat.green).counts.rejected, 1);
    const greenSugg = (await api('GET', `/api/v1/assets/${asset.green}/suggestions?model=${modelA.id}`)).suggestion;
    assert.equal(greenSugg.status, 'rejected');
    assert.deepEqual(greenSugg.chosen_category_ids, [cat.blue]);
    // Going back shows the outcome on the card.
    await page.keyboard.press('ArrowLeft');
    await page.locator('[data-testid=suggestion-status][data-status=rejected]').waitFor();
  });

  test('the review screen shows accepted, rejected and overridden counts per model and category', async (t) => {
    if (!available) return t.skip(SKIP);
    await page.goto(`${srv.url}/projects/${pid}/review`);
    const model = page.locator(`[data-testid=suggestion-stats] tbody[data-stats-model="${modelA.id}"]`);
    await model.waitFor();
    const cell = (row, outcome) => row.locator(`[data-outcome=${outcome}]`).first().textContent().then((s) => Number(s.trim()));
    const head = model.locator('.sugg-model-row');
    assert.equal(await cell(head, 'accepted'), 1);
    assert.equal(await cell(head, 'rejected'), 1);
    assert.equal(await cell(head, 'overridden'), 0);
    assert.equal(await cell(model.locator(`[data-stats-category="${cat.red}"]`), 'accepted'), 1);
    assert.equal(await cell(model.locator(`[data-stats-category="${cat.green}"]`), 'rejected'), 1);
  });

  test('a sampling run ranks the unlabeled images and the labeling queue follows it', async (t) => {
    if (!available) return t.skip(SKIP);
    await page.goto(`${srv.url}/projects/${pid}/models`);
    await page.locator('select[name=sampling-strategy]').selectOption('entropy');
    await page.getByTestId('start-sampling').click();
    const link = page.getByRole('link', { name: 'Label in this order' });
    await link.waitFor({ timeout: 20_000 });
    const runs = (await api('GET', `/api/v1/projects/${pid}/runs`)).runs;
    const run = await api('GET', `/api/v1/projects/${pid}/runs/${runs.find((r) => r.kind === 'sampling').id}`);
    assert.equal(run.strategy, 'entropy');
    // red and green are labeled: blue and teal are left, teal (between green and blue) first
    assert.deepEqual(run.ranks.map((r) => r.asset_id).sort((x, y) => x - y), [asset.blue, asset.teal].sort((x, y) => x - y));
    await link.click();
    await page.waitForURL((u) => u.searchParams.get('queue') === 'sampling');
    await page.locator('[data-testid=viewer-img]').waitFor();
    assert.equal(await currentId(), run.ranks[0].asset_id);
    assert.equal(run.ranks[0].asset_id, asset.teal);
  });

  test('a new category blocks the model: the Models tab warns, the labeling screen says why and offers no A', async (t) => {
    if (!available) return t.skip(SKIP);
    await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'yellow' });
    await page.goto(`${srv.url}/projects/${pid}/models`);
    const warning = page.locator('tr.model-row', { hasText: 'colour A' }).getByTestId('labels-hash-warning');
    await warning.waitFor();
    assert.match(await warning.textContent(), /categories changed/);
    await page.goto(`${srv.url}/projects/${pid}/label?filter=unlabeled`);
    const blocked = page.getByTestId('suggestion-blocked');
    await blocked.waitFor();
    assert.match(await blocked.textContent(), /categories changed/);
    await page.keyboard.press('?');
    await page.getByText('Skip (and move on)').waitFor();
    assert.equal(await page.getByText('Accept the model’s suggestion (and move on)').count(), 0);
    await page.keyboard.press('Escape');
  });

  test('no page errors', () => {
    assert.deepEqual(session.browser.errors.filter((e) => e.startsWith('pageerror')), []);
  });
});

describe('a server without ONNX Runtime', () => {
  let s2;
  after(async () => {
    await s2?.close();
  });

  test('the Models tab and the labeling screen say that models cannot run', async () => {
    let projectId;
    s2 = await startSession({
      name: 'bob',
      serverOptions: { env: { TESSERA_ONNXRUNTIME: '/nonexistent/libonnxruntime.so.1' } },
      setup: async (_srv, _token, a) => {
        projectId = (await a('POST', '/api/v1/projects', { name: 'Plain' })).id;
        await a('POST', `/api/v1/projects/${projectId}/categories`, { name: 'thing' });
        const fd = new FormData();
        fd.append('file', new Blob([solidPng([1, 2, 3])], { type: 'image/png' }), 'one.png');
        await a('POST', `/api/v1/projects/${projectId}/assets`, fd);
      },
    });
    const p = s2.page;
    await p.goto(`${s2.srv.url}/projects/${projectId}/models`);
    await p.getByTestId('inference-unavailable').waitFor();
    assert.match(await p.getByTestId('inference-unavailable').textContent(), /ONNX Runtime is not installed/);
    assert.equal(await p.getByRole('form', { name: 'Register a model' }).count(), 0);
    // Labeling works as before, without a suggestion card or an A key.
    await p.goto(`${s2.srv.url}/projects/${projectId}/label`);
    await p.locator('[data-testid=viewer-img]').waitFor();
    await p.keyboard.press('?');
    await p.getByText('Skip (and move on)').waitFor();
    assert.equal(await p.getByText('Accept the model’s suggestion (and move on)').count(), 0);
    assert.equal(await p.getByTestId('suggestion-card').count(), 0);
  });
});
