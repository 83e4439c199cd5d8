// A tiny History API router: the current location lives in a signal, links
// call navigate(), and the back/forward buttons update the signal.
import { signal } from '@preact/signals';

export interface Location {
  path: string;
  search: string;
}

function current(): Location {
  return { path: window.location.pathname, search: window.location.search };
}

export const location = signal<Location>(current());

window.addEventListener('popstate', () => {
  location.value = current();
});

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const here = window.location.pathname + window.location.search;
  if (to !== here) {
    if (opts.replace) window.history.replaceState(null, '', to);
    else window.history.pushState(null, '', to);
  }
  location.value = current();
  if (!opts.replace) window.scrollTo(0, 0);
}

/**
 * Click handler for <a href> links: plain left clicks navigate inside the
 * app, modified clicks (new tab, etc.) keep the browser's behaviour.
 */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.currentTarget as HTMLAnchorElement;
  if (a.target && a.target !== '_self') return;
  if (a.origin !== window.location.origin) return;
  e.preventDefault();
  navigate(a.pathname + a.search);
}

export { matchPattern, matchRoutes, parseId } from './match';
