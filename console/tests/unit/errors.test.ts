import { describe, expect, it } from 'vitest';
import { loginErrorMessage } from '../../src/features/login/LoginPage';
import {
  ApiError,
  errorFromFailure,
  errorFromResponse,
  formatWait,
  isRetryable,
  parseRetryAfter,
  userMessage,
} from '../../src/lib/errors';

describe('API errors as users read them', () => {
  it("keeps the API's message and category", () => {
    const e = errorFromResponse(404, { error: 'Recording Error', message: "Recording 'x' not found" }, null);
    expect(e.status).toBe(404);
    expect(e.category).toBe('Recording Error');
    expect(userMessage(e)).toBe("Recording 'x' not found.");
  });
  it('lists every problem of a 422', () => {
    const e = errorFromResponse(
      422,
      {
        error: 'Unprocessable Entity',
        message: 'Invalid request',
        details: [{ field: 'maxItems', message: 'must be at least 1' }],
      },
      null,
    );
    expect(userMessage(e)).toBe('Invalid request. maxItems: must be at least 1.');
  });
  it('never shows raw JSON or HTML', () => {
    expect(userMessage(errorFromResponse(502, '<html>Bad gateway</html>', null))).toBe(
      'The API is not available right now.',
    );
    expect(userMessage(errorFromResponse(418, null, null))).toBe('The API answered with status 418.');
  });
  it('says when to retry a 503 and a 429', () => {
    expect(userMessage(errorFromResponse(503, { message: 'DynamoDB is unavailable' }, '2'))).toBe(
      'DynamoDB is unavailable. Try again in 2 seconds.',
    );
    expect(errorFromResponse(429, {}, '840').retryAfter).toBe(840);
  });
  it('tells a network failure from a timeout', () => {
    expect(errorFromFailure(new TypeError('Failed to fetch')).kind).toBe('network');
    expect(errorFromFailure(new DOMException('t', 'TimeoutError')).kind).toBe('timeout');
    expect(userMessage(new TypeError('Failed to fetch'))).toMatch(/cannot be reached/);
  });
  it('knows what is worth retrying', () => {
    expect(isRetryable(errorFromResponse(503, {}, null))).toBe(true);
    expect(isRetryable(errorFromFailure(new TypeError('x')))).toBe(true);
    expect(isRetryable(errorFromResponse(403, {}, null))).toBe(false);
  });
});

describe('Retry-After and waits', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(30);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
  it('rounds waits up to what people say', () => {
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(45)).toBe('45 seconds');
    expect(formatWait(61)).toBe('2 minutes');
    expect(formatWait(840)).toBe('14 minutes');
    expect(formatWait(3601)).toBe('2 hours');
  });
});

describe('sign-in messages', () => {
  it('says plainly what went wrong', () => {
    expect(loginErrorMessage(errorFromResponse(401, { message: 'Invalid credentials' }, null))).toBe(
      'Wrong username or password.',
    );
    expect(loginErrorMessage(errorFromResponse(429, { message: 'Too many' }, '840'))).toBe(
      'Too many sign-in attempts. Try again in 14 minutes.',
    );
    expect(loginErrorMessage(new ApiError({ kind: 'network', message: 'The API cannot be reached.' }))).toBe(
      'The API cannot be reached.',
    );
  });
});
