// Display formatting. DOM-free.

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An RFC 3339 timestamp as "YYYY-MM-DD HH:MM" in the viewer's time zone
 * (dense and sortable by eye); the input unchanged if it does not parse.
 */
export function formatDateTime(iso: string, zone: 'local' | 'utc' = 'local'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  if (zone === 'utc') {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
