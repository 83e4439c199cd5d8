import { describe, expect, it } from 'vitest';
import { importFraction, importSummary, type Import } from './imports';

const base: Import = {
  id: 1,
  project_id: 2,
  state: 'queued',
  format: 'class_masks',
  file_name: 'labels.zip',
  tolerance: 1,
  progress: { done: 0, total: 0 },
  images: 0,
  objects: 0,
  refused: 0,
  undone: 0,
  error: null,
  created_by: 'ann',
  created_at: '2026-01-01T00:00:00.000Z',
  started_at: null,
  finished_at: null,
  undone_at: null,
};

describe('import progress and summary', () => {
  it('follows the job', () => {
    expect(importFraction(base)).toBe(0);
    expect(importSummary(base)).toBe('Queued');
    const running = { ...base, state: 'running' as const, progress: { done: 3, total: 12 } };
    expect(importFraction(running)).toBe(0.25);
    expect(importSummary(running)).toBe('Reading · 3 / 12');
    expect(importSummary({ ...running, progress: { done: 0, total: 0 } })).toBe('Reading · 0 / …');
  });

  it('says what an ended import did', () => {
    const done = { ...base, state: 'done' as const, images: 1, objects: 3, refused: 2 };
    expect(importFraction(done)).toBe(1);
    expect(importSummary(done)).toBe('1 image labeled · 3 objects · 2 refused');
    expect(importSummary({ ...done, images: 2, objects: 1, refused: 0 })).toBe('2 images labeled · 1 object');
    const failed = { ...base, state: 'failed' as const, error: { code: 'zip_bomb', message: 'Refused.' } };
    expect(importSummary(failed)).toBe('Failed: Refused. Nothing was imported.');
    expect(importSummary({ ...done, state: 'undone' as const, undone: 1 })).toBe('Undone · 1 image restored');
  });
});
