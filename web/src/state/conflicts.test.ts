import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import type { Annotation } from '../api/assets';
import { alreadyHolds, conflicts, ownRevision, resolveConflict, staleCurrent } from './conflicts';

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

  it('a write the server already holds (sent again after a reload) is no conflict; any other is', () => {
    expect(alreadyHolds(theirs, { category_ids: [3], revision: 6 })).toBe(true);
    expect(alreadyHolds(theirs, { category_ids: [4], revision: 6 })).toBe(false);
    expect(alreadyHolds({ ...theirs, status: 'skipped', category_ids: [] }, { category_ids: [], revision: 6 })).toBe(false);
    expect(alreadyHolds(theirs, { status: 'labeled', revision: 6 })).toBe(true);
    expect(alreadyHolds(theirs, { status: 'approved', revision: 6 })).toBe(false);
    const boxes = { type: 'boxes' as const, objects: [{ id: 'a', category_id: 3, bbox: [1, 2, 3, 4] as [number, number, number, number] }] };
    expect(alreadyHolds({ ...theirs, payload: boxes }, { payload: boxes, revision: 6 })).toBe(true);
    const reordered = { objects: [{ bbox: [1, 2, 3.0000000001, 4] as [number, number, number, number], category_id: 3, id: 'a' }], type: 'boxes' as const };
    expect(alreadyHolds({ ...theirs, payload: boxes }, { payload: reordered, revision: 6 })).toBe(true);
    expect(alreadyHolds({ ...theirs, payload: boxes }, { payload: { ...boxes, objects: [] }, revision: 6 })).toBe(false);
  });

  it('a stale refusal is the labeler\'s own only when the server holds a write it replaced, one revision after their shared base', () => {
    const stale = (a: Annotation) => new ApiError(409, 'stale_revision', 'm', { current: a });
    const sent = [{ category_ids: [1], revision: 6 }, { category_ids: [3], revision: 6 }];
    const mine = { category_ids: [4], revision: 6 };
    expect(ownRevision(mine, sent, stale(theirs))).toBe(7);
    expect(ownRevision(mine, undefined, stale(theirs))).toBeNull(); // nothing was sent before
    expect(ownRevision(mine, [{ category_ids: [2], revision: 6 }], stale(theirs))).toBeNull(); // someone else's content
    expect(ownRevision(mine, sent, stale({ ...theirs, revision: 8 }))).toBeNull(); // and another write after it
    expect(ownRevision({ ...mine, revision: 5 }, sent, stale({ ...theirs, revision: 6 }))).toBeNull(); // built on another base
    expect(ownRevision(mine, sent, new ApiError(409, 'not_labeled', 'm', { current: theirs }))).toBeNull();
  });
});
