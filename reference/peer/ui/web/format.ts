/** Sizes, times and sockets in words. */

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB" (powers of 1024, as file managers show them); a size no file has (null, -5, 1e300) → "unknown size". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isSafeInteger(bytes) || bytes < 0) return 'unknown size';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

export function parseTime(iso: string | null | undefined): number | null {
  if (typeof iso !== 'string' || iso === '') return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** An absolute date and time, e.g. "3 Mar 2025, 14:05". */
export function formatDate(iso: string | null | undefined): string {
  const ms = parseTime(iso);
  return ms === null ? '—' : dateTime.format(ms);
}

/** "12 s ago", "in 3 min", "just now". */
export function formatRelative(ms: number, now: number): string {
  const delta = ms - now;
  const abs = Math.abs(delta);
  if (abs < 1500) return 'just now';
  const [amount, unit] =
    abs < 60_000 ? [Math.round(abs / 1000), 's'] : abs < 3_600_000 ? [Math.round(abs / 60_000), 'min'] : abs < 172_800_000 ? [Math.round(abs / 3_600_000), 'h'] : [Math.round(abs / 86_400_000), 'days'];
  return delta < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/** Recent times as a clock time plus "ago"/"in"; far ones as a date. */
export function formatMoment(iso: string | null | undefined, now: number): string {
  const ms = parseTime(iso);
  if (ms === null) return '—';
  const sameDay = Math.abs(ms - now) < 12 * 3_600_000;
  return `${sameDay ? timeOnly.format(ms) : dateTime.format(ms)} (${formatRelative(ms, now)})`;
}

/** "192.168.1.20:4321", "[::1]:4321". */
export function socketText(address: string, port: number): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** "relay_trouble" → "relay trouble". */
export function words(raw: string): string {
  return raw.replace(/_/g, ' ');
}
