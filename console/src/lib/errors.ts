// What went wrong, as a user should read it: the API's own message, never raw JSON.

export type ErrorKind = 'network' | 'timeout' | 'http' | 'config';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  /** The API's `error` category ("Recording Error", ...), when it sent one. */
  readonly category: string | null;
  readonly details: FieldProblem[];
  /** Seconds, from `Retry-After`. */
  readonly retryAfter: number | null;

  constructor(init: {
    kind: ErrorKind;
    status?: number;
    message: string;
    category?: string | null;
    details?: FieldProblem[];
    retryAfter?: number | null;
  }) {
    super(init.message);
    this.name = 'ApiError';
    this.kind = init.kind;
    this.status = init.status ?? 0;
    this.category = init.category ?? null;
    this.details = init.details ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request was refused.',
  401: 'Your session has ended. Sign in again.',
  403: 'You are not allowed to do this.',
  404: 'Not found.',
  409: 'This cannot be done in the current state.',
  410: 'This is no longer available.',
  413: 'The request is too large.',
  422: 'Some values are not valid.',
  429: 'Too many attempts.',
  500: 'Something went wrong on the server.',
  502: 'The API is not available right now.',
  503: 'The service is not available right now.',
  504: 'The API took too long to answer.',
};

/** An ApiError from an HTTP error answer; `body` is whatever the API sent (JSON or not). */
export function errorFromResponse(status: number, body: unknown, retryAfterHeader: string | null): ApiError {
  const object = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const message =
    typeof object.message === 'string' && object.message.trim()
      ? object.message.trim()
      : (STATUS_TEXT[status] ?? `The API answered with status ${status}.`);
  const details = Array.isArray(object.details)
    ? object.details.filter(
        (d): d is FieldProblem =>
          d !== null && typeof d === 'object' && typeof d.field === 'string' && typeof d.message === 'string',
      )
    : [];
  return new ApiError({
    kind: 'http',
    status,
    message,
    category: typeof object.error === 'string' ? object.error : null,
    details,
    retryAfter: parseRetryAfter(retryAfterHeader),
  });
}

/** A fetch that threw: no answer at all. */
export function errorFromFailure(cause: unknown): ApiError {
  if (cause instanceof ApiError) return cause;
  const name = cause instanceof Error ? cause.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ApiError({ kind: 'timeout', message: 'The API did not answer in time.' });
  }
  return new ApiError({
    kind: 'network',
    message: 'The API cannot be reached. Check your connection, then retry.',
  });
}

/** "about 14 minutes", "45 seconds". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} second${Math.round(seconds) === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

function sentence(text: string): string {
  return /[.!?…)]$/.test(text) ? text : `${text}.`;
}

/** The sentence to show for an error, with what to do next where there is something. */
export function userMessage(error: unknown): string {
  const e = error instanceof ApiError ? error : errorFromFailure(error);
  let text = sentence(e.message);
  if (e.details.length > 0) {
    text += ` ${e.details.map((d) => `${d.field}: ${d.message}`).join('; ')}.`;
  }
  if (e.retryAfter !== null && (e.status === 429 || e.status === 503)) {
    text += ` Try again in ${formatWait(e.retryAfter)}.`;
  }
  return text;
}

/** Whether retrying the same request later may work (outages, not refusals). */
export function isRetryable(error: unknown): boolean {
  const e = error instanceof ApiError ? error : errorFromFailure(error);
  return e.kind !== 'http' || e.status >= 500 || e.status === 429;
}
