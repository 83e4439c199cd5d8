import { useLayoutEffect } from 'preact/hooks';

/**
 * Sizes el to the window's height below its top (less the page's bottom
 * padding), so that the page itself never scrolls and el's own content
 * scrolls inside it: one scrollbar, and Space never scrolls the page.
 */
export function useFillWindow(el: { current: HTMLElement | null }, deps: unknown[]): void {
  useLayoutEffect(() => {
    const fitNow = () => {
      const e = el.current;
      if (!e) return;
      const top = e.getBoundingClientRect().top + window.scrollY;
      const pad = parseFloat(getComputedStyle(document.querySelector('main') ?? e).paddingBottom) || 0;
      e.style.height = `${Math.max(260, window.innerHeight - top - pad)}px`;
    };
    fitNow();
    window.addEventListener('resize', fitNow);
    return () => window.removeEventListener('resize', fitNow);
  }, deps);
}
