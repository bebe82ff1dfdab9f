import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatElapsed, formatSize } from '../../src/lib/format';

describe('formatDuration', () => {
  it('writes H:MM:SS', () => {
    expect(formatDuration(0)).toBe('0:00:00');
    expect(formatDuration(6)).toBe('0:00:06');
    expect(formatDuration(3600)).toBe('1:00:00');
    expect(formatDuration(3599.6)).toBe('1:00:00');
    expect(formatDuration(36 * 3600 + 61)).toBe('36:01:01');
  });
  it('shows a dash when unknown or invalid', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('formatSize', () => {
  it('uses decimal units', () => {
    expect(formatSize(0, 'en')).toBe('0 bytes');
    expect(formatSize(1, 'en')).toBe('1 byte');
    expect(formatSize(999, 'en')).toBe('999 bytes');
    expect(formatSize(1000, 'en')).toBe('1.0 kB');
    expect(formatSize(123_456_789, 'en')).toBe('123 MB');
    expect(formatSize(1_500_000_000, 'en')).toBe('1.5 GB');
  });
  it('follows the locale', () => {
    expect(formatSize(1_500_000, 'de')).toBe('1,5 MB');
  });
  it('shows a dash when unknown', () => {
    expect(formatSize(null)).toBe('—');
  });
});

describe('formatDateTime', () => {
  it('uses the given locale and time zone', () => {
    const ms = Date.UTC(2025, 10, 26, 20, 46, 40);
    expect(formatDateTime(ms, 'en-GB', 'UTC')).toBe('26 Nov 2025, 20:46');
    expect(formatDateTime(ms, 'en-US', 'America/New_York')).toBe('Nov 26, 2025, 3:46 PM');
  });
  it('shows a dash when unknown', () => {
    expect(formatDateTime(null)).toBe('—');
  });
});

describe('formatElapsed', () => {
  it('counts from the start, never below zero', () => {
    expect(formatElapsed(1000, 66_000)).toBe('0:01:05');
    expect(formatElapsed(10_000, 0)).toBe('0:00:00');
  });
});
