// Dates, durations and sizes as people read them, in the browser's locale and time zone.

/** Seconds as H:MM:SS (hours unbounded); "—" when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

const UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** Bytes in decimal units, as browsers' download lists show them: "1.2 MB". */
export function formatSize(bytes: number | null | undefined, locale?: string): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  const number = new Intl.NumberFormat(locale, {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
  return `${number} ${UNITS[unit]}`;
}

/** An epoch-milliseconds instant as a date and time; "—" when unknown. */
export function formatDateTime(ms: number | null | undefined, locale?: string, timeZone?: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(ms);
}

/** The date alone. */
export function formatDate(ms: number | null | undefined, locale?: string, timeZone?: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(ms);
}

/** "in 3 days", "2 hours ago". */
export function formatRelative(ms: number, now = Date.now(), locale?: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const diff = (ms - now) / 1000;
  const abs = Math.abs(diff);
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [60, 'second'],
    [3600, 'minute'],
    [86400, 'hour'],
    [86400 * 30, 'day'],
    [86400 * 365, 'month'],
  ];
  let divisor = 1;
  for (const [limit, unit] of steps) {
    if (abs < limit) return rtf.format(Math.round(diff / divisor), unit);
    divisor = limit;
  }
  return rtf.format(Math.round(diff / (86400 * 365)), 'year');
}

/** Elapsed time since a start, as H:MM:SS. */
export function formatElapsed(startMs: number, now = Date.now()): string {
  return formatDuration(Math.max(0, (now - startMs) / 1000));
}
