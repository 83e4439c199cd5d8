import { describe, expect, it } from 'vitest';
import type { Category } from '../api/types';
import {
  bareHash,
  fullHash,
  defaultMetadataForm,
  formFromMetadataText,
  labelsMatch,
  metadataFromForm,
  modelWarning,
  parseNumber,
  registerErrorMessage,
  runPercent,
  runPollDelay,
  runSummary,
  samplingProblem,
  upsertRun,
} from './models';
import type { ModelRun } from '../api/models';

const HASH = 'ab'.repeat(32);
const cat = (id: number, name: string, state: Category['state'] = 'active', order = id): Category => ({
  id,
  name,
  state,
  display_order: order,
});
const CATS = [cat(3, 'blue', 'active', 0), cat(1, 'red', 'active', 2), cat(2, 'green', 'disabled', 1), cat(4, 'gone', 'deleted')];

const run = (id: number, state: ModelRun['state'], done = 0, total = 0): ModelRun => ({
  id,
  project_id: 1,
  kind: 'batch',
  model_ids: [1],
  state,
  done,
  total,
  failed: 0,
  error: null,
  created_by: 'ann',
  created_at: '2026-01-01T00:00:00Z',
  finished_at: null,
});

describe('model metadata form', () => {
  it('starts from the project: its task type, hash and categories in class_index order (by id, deleted left out)', () => {
    const f = defaultMetadataForm('resnet.onnx', 'classification_multi', `sha256:${HASH}`, CATS);
    expect(f.name).toBe('resnet');
    expect(f.task_type).toBe('classification_multi');
    expect(f.labels_hash).toBe(`sha256:${HASH}`);
    expect(f.outputs).toBe('1, 2, 3');
    expect(defaultMetadataForm('x.onnx', 'detection', HASH, []).task_type).toBe('classification_single');
  });

  it('reads fractions and lists', () => {
    expect(parseNumber('1/255')).toBeCloseTo(1 / 255, 12);
    expect(parseNumber(' 0.5 ')).toBe(0.5);
    expect(parseNumber('1/0')).toBeNaN();
    expect(parseNumber('')).toBeNaN();
    const m = metadataFromForm({ ...defaultMetadataForm('m.onnx', 'classification_single', HASH, CATS), mean: '0 0;0', std: '1 1 1' }, CATS);
    expect(typeof m).toBe('object');
    if (typeof m === 'string') return;
    expect(m).toEqual({
      name: 'm',
      task_type: 'classification_single',
      labels_hash: `sha256:${HASH}`,
      input: { width: 224, height: 224, channels: 'rgb', layout: 'nchw', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
      outputs: [1, 2, 3],
    });
  });

  it('says what is wrong, field by field', () => {
    const ok = defaultMetadataForm('m.onnx', 'classification_single', HASH, CATS);
    expect(metadataFromForm({ ...ok, name: '  ' })).toMatch(/name/);
    expect(metadataFromForm({ ...ok, labels_hash: 'abc' })).toMatch(/labels_hash/);
    expect(metadataFromForm({ ...ok, labels_hash: `sha256:${HASH.toUpperCase()}` })).not.toBeTypeOf('string');
    expect(metadataFromForm({ ...ok, labels_hash: HASH })).toMatchObject({ labels_hash: `sha256:${HASH}` });
    expect(metadataFromForm({ ...ok, width: '0' })).toMatch(/width/);
    expect(metadataFromForm({ ...ok, height: '4097' })).toMatch(/height/);
    expect(metadataFromForm({ ...ok, height: '2.5' })).toMatch(/height/);
    expect(metadataFromForm({ ...ok, scale: '-1' })).toMatch(/scale/);
    expect(metadataFromForm({ ...ok, mean: '1, 2' })).toMatch(/mean/);
    expect(metadataFromForm({ ...ok, std: '1, 0, 1' })).toMatch(/std.*above 0/);
    expect(metadataFromForm({ ...ok, outputs: '1, x' })).toMatch(/“x” is not a category id/);
    expect(metadataFromForm({ ...ok, outputs: '1' })).toMatch(/2 to 1000/);
    expect(metadataFromForm({ ...ok, outputs: '1, 1' })).toMatch(/once/);
    expect(metadataFromForm({ ...ok, outputs: '1, 9' }, CATS)).toMatch(/category 9/);
    // Without the categories loaded, the ids are left to the server.
    expect(metadataFromForm({ ...ok, outputs: '1, 9' })).not.toBeTypeOf('string');
  });

  it('fills the form from a metadata file, keeping what the file lacks', () => {
    const base = defaultMetadataForm('m.onnx', 'classification_single', HASH, CATS);
    const file = JSON.stringify({
      name: 'colour A',
      task_type: 'classification_single',
      labels_hash: '',
      input: { width: 8, height: 8, channels: 'bgr', layout: 'nhwc', scale: 0.5, mean: [0, 0, 0], std: [1, 1, 1] },
      outputs: [1, 2, 3],
    });
    const f = formFromMetadataText(file, base);
    expect(f).toMatchObject({ name: 'colour A', labels_hash: `sha256:${HASH}`, width: '8', channels: 'bgr', layout: 'nhwc', scale: '0.5', mean: '0, 0, 0', outputs: '1, 2, 3' });
    expect(formFromMetadataText('{"name": "x"}', base)).toMatchObject({ name: 'x', width: '224', outputs: '1, 2, 3' });
    expect(formFromMetadataText('{nope', base)).toMatch(/not valid JSON/);
    expect(formFromMetadataText('[1]', base)).toMatch(/one JSON object/);
  });

  it('adds a hint to the server’s refusal', () => {
    expect(registerErrorMessage('model_input_mismatch', 'The input is [1,3,8,8].')).toBe(
      'The input is [1,3,8,8]. Check the input width, height and layout against the model.',
    );
    expect(registerErrorMessage('other', '')).toBe('The model was not registered.');
  });
});

describe('labels_hash rule', () => {
  it('compares bare hashes and warns when they differ', () => {
    expect(bareHash(' SHA256:AB ')).toBe('ab');
    expect(fullHash('AB')).toBe('sha256:ab');
    expect(fullHash('')).toBe('');
    expect(labelsMatch(HASH, `sha256:${HASH}`)).toBe(true);
    expect(labelsMatch('', '')).toBe(false);
    expect(modelWarning({ labels_hash: HASH, labels_hash_ok: true, warning: null }, HASH)).toBeNull();
    expect(modelWarning({ labels_hash: HASH, labels_hash_ok: false, warning: null }, HASH)).toMatch(/categories changed/);
    expect(modelWarning({ labels_hash: HASH, labels_hash_ok: false, warning: 'Server says.' }, HASH)).toBe('Server says.');
  });
});

describe('runs', () => {
  it('show progress, poll while active, stay newest first', () => {
    expect(runPercent(run(1, 'running', 1, 3))).toBe(33);
    expect(runPercent(run(1, 'queued', 0, 0))).toBe(0);
    expect(runPercent(run(1, 'done', 2, 3))).toBe(100);
    expect(runPollDelay([run(1, 'done')], 0)).toBeNull();
    expect(runPollDelay([run(1, 'done'), run(2, 'queued')], 0)).toBe(300);
    expect(runPollDelay([run(2, 'running')], 100)).toBe(2000);
    expect(upsertRun([run(1, 'done'), run(3, 'running')], run(3, 'done')).map((r) => [r.id, r.state])).toEqual([
      [3, 'done'],
      [1, 'done'],
    ]);
    expect(runSummary({ done: 1200, total: 5000, failed: 2 })).toBe('1,200 / 5,000 · 2 failed');
  });

  it('check the models a sampling strategy takes', () => {
    expect(samplingProblem('entropy', [])).toMatch(/Pick the model/);
    expect(samplingProblem('margin', [1, 2])).toMatch(/one model/);
    expect(samplingProblem('disagreement', [1])).toMatch(/at least two/);
    expect(samplingProblem('disagreement', [1, 2])).toBeNull();
    expect(samplingProblem('coverage', [])).toBeNull();
    expect(samplingProblem('coverage', [1])).toMatch(/no model/);
  });
});
