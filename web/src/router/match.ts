// Path matching for the client-side router. DOM-free.

export type Params = Record<string, string>;

export interface Match<K extends string> {
  route: K;
  params: Params;
}

/**
 * Matches `path` against a pattern such as `/projects/:id/:tab`.
 * Returns the decoded parameters, or null. A trailing slash is ignored.
 */
export function matchPattern(pattern: string, path: string): Params | null {
  const norm = (s: string) => (s.length > 1 && s.endsWith('/') ? s.slice(0, -1) : s);
  const want = norm(pattern).split('/');
  const got = norm(path).split('/');
  if (want.length !== got.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) {
      if (g === '') return null;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return null;
      }
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

/** The first route whose pattern matches, in the order given. */
export function matchRoutes<K extends string>(
  routes: ReadonlyArray<readonly [K, string]>,
  path: string,
): Match<K> | null {
  for (const [route, pattern] of routes) {
    const params = matchPattern(pattern, path);
    if (params) return { route, params };
  }
  return null;
}

/** Parses a positive integer id from a route parameter, else null. */
export function parseId(s: string | undefined): number | null {
  if (s === undefined || !/^[1-9][0-9]{0,15}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}
