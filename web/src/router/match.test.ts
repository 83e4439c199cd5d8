import { describe, expect, it } from 'vitest';
import { matchPattern, matchRoutes, parseId } from './match';

describe('router matching', () => {
  const routes = [
    ['home', '/'],
    ['project', '/projects/:id'],
    ['tab', '/projects/:id/:tab'],
  ] as const;

  it('matches static and parameterised paths', () => {
    expect(matchRoutes(routes, '/')).toEqual({ route: 'home', params: {} });
    expect(matchRoutes(routes, '/projects/7')).toEqual({ route: 'project', params: { id: '7' } });
    expect(matchRoutes(routes, '/projects/7/categories/')).toEqual({
      route: 'tab',
      params: { id: '7', tab: 'categories' },
    });
    expect(matchRoutes(routes, '/nope')).toBeNull();
  });

  it('decodes parameters and rejects bad encodings', () => {
    expect(matchPattern('/u/:name', '/u/a%20b')).toEqual({ name: 'a b' });
    expect(matchPattern('/u/:name', '/u/%E0%A4%A')).toBeNull();
    expect(matchPattern('/u/:name', '/u/')).toBeNull();
  });

  it('parses ids strictly', () => {
    expect(parseId('12')).toBe(12);
    expect(parseId('0')).toBeNull();
    expect(parseId('012')).toBeNull();
    expect(parseId('1e3')).toBeNull();
    expect(parseId(undefined)).toBeNull();
  });
});
