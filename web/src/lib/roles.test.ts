import { describe, expect, it } from 'vitest';
import { canManage, canReview, hasRole } from './roles';

describe('roles', () => {
  it('ranks labeler < reviewer < manager < admin', () => {
    expect(canReview({ role: 'labeler' })).toBe(false);
    expect(canReview({ role: 'reviewer' })).toBe(true);
    expect(canManage({ role: 'reviewer' })).toBe(false);
    expect(canManage({ role: 'manager' })).toBe(true);
    expect(canManage({ role: 'admin' })).toBe(true);
    expect(hasRole({ role: 'labeler' }, 'labeler')).toBe(true);
  });
  it('allows everything when the server names no role', () => {
    expect(canManage({})).toBe(true);
  });
});
