// Share-link expiry choices, as seconds for `expiresIn`.
export type ExpiryChoice = 'never' | '1h' | '1d' | '7d' | '30d' | 'date';

export const EXPIRY_LABEL: Record<ExpiryChoice, string> = {
  never: 'Never',
  '1h': '1 hour',
  '1d': '1 day',
  '7d': '7 days',
  '30d': '30 days',
  date: 'On a date',
};

const SECONDS: Record<Exclude<ExpiryChoice, 'never' | 'date'>, number> = {
  '1h': 3600,
  '1d': 86400,
  '7d': 7 * 86400,
  '30d': 30 * 86400,
};

/** The API's maximum: one year. */
export const MAX_EXPIRES_IN = 31_536_000;

/**
 * `expiresIn` for a choice: null for a link that does not expire; for a date
 * (`YYYY-MM-DD`, the end of that day in the browser's time zone) an error text when it is
 * not in the future or more than a year away.
 */
export function expiresInFor(choice: ExpiryChoice, date: string, now = Date.now()): number | null | { error: string } {
  if (choice === 'never') return null;
  if (choice !== 'date') return SECONDS[choice];
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return { error: 'Choose a date' };
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59).getTime();
  const seconds = Math.floor((end - now) / 1000);
  if (seconds < 1) return { error: 'Choose a date in the future' };
  if (seconds > MAX_EXPIRES_IN) return { error: 'Choose a date within a year' };
  return seconds;
}
