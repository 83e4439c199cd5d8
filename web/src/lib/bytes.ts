// Byte sizes and counts for people. DOM-free.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (powers of 1024, one decimal under 10); nothing for an unknown size. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  if (!Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  if (u === 0) return `${v} B`;
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** 100000 -> "100,000". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
