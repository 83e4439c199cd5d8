import { describe, expect, it } from 'vitest';
import { formatDateTime } from './format';
import { checkNewAccount } from './validate';

describe('formatDateTime', () => {
  it('shows minutes, dense and sortable', () => {
    expect(formatDateTime('2026-11-26T07:30:59.123Z', 'utc')).toBe('2026-11-26 07:30');
    expect(formatDateTime('2026-01-02T03:04:05.000Z', 'utc')).toBe('2026-01-02 03:04');
  });

  it('returns text that does not parse unchanged', () => {
    expect(formatDateTime('yesterday')).toBe('yesterday');
  });
});

describe('checkNewAccount', () => {
  it('accepts a valid name and password', () => {
    expect(checkNewAccount('alice.b-c_1', 'password123', 'password123')).toBe('');
  });

  it('explains the first problem', () => {
    expect(checkNewAccount('al ice', 'password123')).toMatch(/letters, digits/);
    expect(checkNewAccount('', 'password123')).toMatch(/1 to 64/);
    expect(checkNewAccount('alice', 'short')).toMatch(/at least 8/);
    expect(checkNewAccount('alice', 'password123', 'password124')).toMatch(/do not match/);
  });
});
