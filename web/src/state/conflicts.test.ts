import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import type { Annotation } from '../api/assets';
import { conflicts, resolveConflict, staleCurrent } from './conflicts';

const theirs: Annotation = {
  asset_id: 5,
  status: 'labeled',
  category_ids: [3],
  revision: 7,
  labeled_by: 'bob',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('conflicts', () => {
  it('reads the current annotation from a stale_revision 409 only', () => {
    expect(staleCurrent(new ApiError(409, 'stale_revision', 'm', { current: theirs }))).toEqual(theirs);
    expect(staleCurrent(new ApiError(409, 'not_labeled', 'm', { current: theirs }))).toBeNull();
    expect(staleCurrent(new ApiError(400, 'stale_revision', 'm', { current: theirs }))).toBeNull();
    expect(staleCurrent(new Error('x'))).toBeNull();
  });

  it('keep theirs drops the change; apply mine sends it again on their revision', () => {
    conflicts.value = [
      { projectId: 1, assetId: 5, mine: { category_ids: [2] }, theirs, by: 'bob' },
      { projectId: 1, assetId: 6, mine: { status: 'skipped' }, theirs: { ...theirs, asset_id: 6, revision: 2 }, by: null },
    ];
    expect(resolveConflict(5, 'theirs')).toBeNull();
    expect(conflicts.value.map((c) => c.assetId)).toEqual([6]);
    expect(resolveConflict(6, 'mine')).toEqual({ projectId: 1, change: { status: 'skipped', revision: 2 } });
    expect(conflicts.value).toEqual([]);
  });
});
