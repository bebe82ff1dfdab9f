// The one way the console talks to the API: openapi-fetch over the types generated from
// docs/openapi.yaml (schema.d.ts, `npm run gen:api`), with the tab's credentials added,
// a timeout on every request, and every failure turned into an ApiError. Any 401 to a
// request that carried the session's token ends the session: the app sends the user to
// sign in and back to where they were. A late 401 to a token the tab no longer holds (the
// user signed in again meanwhile) ends nothing.
import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, errorFromFailure, errorFromResponse } from '../lib/errors';
import type { paths } from './schema';

export type Api = ReturnType<typeof createClient<paths>>;

export interface ApiOptions {
  baseUrl: string;
  /** The bearer token to send, if any. */
  token: () => string | null;
  /** A request with the current token was answered 401. */
  onUnauthorized: () => void;
  timeoutMs?: number;
}

export function createApi({ baseUrl, token, onUnauthorized, timeoutMs = 20_000 }: ApiOptions): Api {
  const api = createClient<paths>({
    baseUrl: baseUrl || globalThis.location?.origin,
    querySerializer: { array: { style: 'form', explode: false } },
    fetch: (request: Request) => {
      const signal = AbortSignal.timeout(timeoutMs);
      return fetch(request, { signal });
    },
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const current = token();
      if (current && !request.headers.has('Authorization')) {
        request.headers.set('Authorization', `Bearer ${current}`);
      }
      return request;
    },
    onResponse({ request, response }) {
      const sent = request.headers.get('Authorization');
      if (response.status === 401 && sent !== null && sent === `Bearer ${token()}`) onUnauthorized();
      return response;
    },
  };
  api.use(auth);
  return api;
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful answer; throws an ApiError otherwise. */
export async function call<T>(request: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await request;
  } catch (cause) {
    throw errorFromFailure(cause);
  }
  const { response } = result;
  if (!response.ok) {
    throw errorFromResponse(response.status, result.error, response.headers.get('Retry-After'));
  }
  return result.data as T;
}

/** Like `call`, but also returns the answer's status (bulk delete answers 400 with a body). */
export async function callWithStatus<T, E>(
  request: Promise<{ data?: T; error?: E; response: Response }>,
): Promise<{ status: number; data?: T; error?: E }> {
  try {
    const result = await request;
    return { status: result.response.status, data: result.data, error: result.error };
  } catch (cause) {
    throw errorFromFailure(cause);
  }
}

export { ApiError };
