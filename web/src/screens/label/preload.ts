// Decoded-image cache: the next assets are fetched and decoded before they
// are shown, so moving on paints at once.
import { fileUrl } from '../../api/assets';

const MAX = 24;
const cache = new Map<number, HTMLImageElement>();

export function preload(ids: readonly number[]): void {
  for (const id of ids) {
    if (cache.has(id)) {
      const img = cache.get(id);
      cache.delete(id);
      if (img) cache.set(id, img); // most recent last
      continue;
    }
    const img = new Image();
    img.decoding = 'async';
    img.src = fileUrl(id);
    img.decode().catch(() => undefined);
    cache.set(id, img);
    while (cache.size > MAX) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  }
}
