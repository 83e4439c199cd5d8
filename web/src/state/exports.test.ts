import { describe, expect, it } from 'vitest';
import { EXPORT_STATUSES, type ExportVersion } from '../api/exports';
import { ApiError } from '../api/errors';
import {
  createErrorMessage,
  identicalNote,
  pollDelay,
  progressPercent,
  selectionSummary,
  shortHash,
  toggleStatus,
  upsertVersion,
} from './exports';

const version = (v: number, over: Partial<ExportVersion> = {}): ExportVersion => ({
  id: v * 10,
  project_id: 1,
  version: v,
  state: 'ready',
  selection: { statuses: ['approved'] },
  progress: { done: 4, total: 4, fraction: 1 },
  counts: { images: 2, excluded: { deleted_category: 0 } },
  hash: `sha256:${'ab'.repeat(32)}`,
  categories_hash: null,
  identical_to_version: null,
  shares_files_with_version: null,
  zip_bytes: 100,
  download_url: null,
  error: null,
  created_by: 'alice',
  created_at: '2026-11-26T07:30:00.000Z',
  finished_at: null,
  ...over,
});

describe('export selection', () => {
  it('keeps statuses in the canonical order whatever the click order', () => {
    let s = toggleStatus([], 'labeled', true, EXPORT_STATUSES);
    s = toggleStatus(s, 'approved', true, EXPORT_STATUSES);
    expect(s).toEqual(['approved', 'labeled']);
    expect(toggleStatus(s, 'approved', false, EXPORT_STATUSES)).toEqual(['labeled']);
    expect(toggleStatus(s, 'approved', true, EXPORT_STATUSES)).toEqual(['approved', 'labeled']);
  });

  it('summarises the images a selection holds, with what is left out', () => {
    expect(selectionSummary(null)).toBe('');
    const counts = {
      images: 1234,
      excluded: { deleted_category: 2 },
      without_category: 0,
      by_status: { approved: 0, needs_review: 0, labeled: 0, skipped: 0, unlabeled: 0 },
    };
    expect(selectionSummary(counts)).toBe('1,234 images · 2 left out (deleted category)');
    expect(selectionSummary({ ...counts, images: 1, excluded: { deleted_category: 0 } })).toBe('1 image');
    expect(selectionSummary({ ...counts, images: 3, excluded: { deleted_category: 0, damaged: 1 } })).toBe(
      '3 images · 1 left out (damaged image)',
    );
    expect(selectionSummary({ ...counts, images: 0, excluded: { deleted_category: 0 } })).toMatch(
      /^0 images: nothing has these statuses yet\. Approve labels on the Review tab/,
    );
  });
});

describe('export versions', () => {
  it('shortens hashes and tolerates missing ones', () => {
    expect(shortHash(`sha256:${'0123456789abcdef'.repeat(4)}`)).toBe('0123456789ab');
    expect(shortHash(null)).toBe('');
  });

  it('computes a bounded progress percentage', () => {
    expect(progressPercent(version(1, { state: 'building', progress: { done: 1, total: 4, fraction: 0.25 } }))).toBe(25);
    expect(progressPercent(version(1, { state: 'queued', progress: { done: 0, total: 0, fraction: 0 } }))).toBe(0);
    expect(progressPercent(version(1, { state: 'building', progress: { done: 9, total: 4, fraction: 2 } }))).toBe(100);
    expect(progressPercent(version(1, { state: 'ready', progress: { done: 0, total: 4, fraction: 0 } }))).toBe(100);
  });

  it('polls only while a version is queued or building, backing off', () => {
    expect(pollDelay([version(1)], 0)).toBeNull();
    expect(pollDelay([version(1), version(2, { state: 'building' })], 0)).toBe(300);
    expect(pollDelay([version(2, { state: 'queued' })], 100)).toBe(2000);
  });

  it('says which earlier version a new one is identical to', () => {
    expect(identicalNote(version(2, { identical_to_version: 1 }))).toBe('identical to version 1');
    expect(identicalNote(version(2))).toBe('');
    expect(identicalNote(version(3, { identical_to_version: 1, shares_files_with_version: 1 }))).toBe(
      'identical to version 1 (no extra space)',
    );
  });

  it('says how to get past a quota when a new version is refused', () => {
    const quota = new ApiError(409, 'export_quota_exceeded', 'This project already has 5 export versions, the most this server keeps per project (--quota-export-versions).');
    expect(createErrorMessage(quota)).toBe(
      'This project already has 5 export versions, the most this server keeps per project (--quota-export-versions). An administrator can raise the limit.',
    );
    expect(createErrorMessage(new ApiError(400, 'nothing_to_export', 'Nothing to export.'))).toBe('Nothing to export.');
  });

  it('keeps the list newest first when a version is refreshed or added', () => {
    const list = [version(2), version(1)];
    const refreshed = upsertVersion(list, version(1, { state: 'failed' }));
    expect(refreshed.map((v) => [v.version, v.state])).toEqual([
      [2, 'ready'],
      [1, 'failed'],
    ]);
    expect(upsertVersion(list, version(3)).map((v) => v.version)).toEqual([3, 2, 1]);
  });
});
