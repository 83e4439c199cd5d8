import { describe, expect, it } from 'vitest';
import { describeEvent, type ProjectEvent } from './history';

const ev = (action: string, detail: Record<string, unknown>): ProjectEvent => ({
  id: 1,
  action,
  by: 'alice',
  at: '2026-01-01T00:00:00.000Z',
  detail,
});

describe('describeEvent', () => {
  it('says what changed in words', () => {
    expect(describeEvent(ev('project.rename', { from: 'A', to: 'B' }))).toBe('renamed the project from “A” to “B”');
    expect(describeEvent(ev('member.role', { name: 'bob', from: 'labeler', to: 'reviewer' }))).toBe(
      'made bob a reviewer (was labeler)',
    );
    expect(describeEvent(ev('category.state', { category_id: 3, name: 'cat', to: 'disabled' }))).toBe(
      'disabled category “cat” (#3)',
    );
    expect(describeEvent(ev('project.settings', { review_own_labels: false }))).toMatch(/^stopped/);
  });
  it('falls back to the action name, and never to markup', () => {
    expect(describeEvent(ev('project.archive', {}))).toBe('project.archive');
    expect(describeEvent(ev('category.create', { name: { html: 1 }, category_id: 2 }))).toBe(
      'added category “” (#2)',
    );
  });
});
