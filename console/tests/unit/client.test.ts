import { afterEach, describe, expect, it, vi } from 'vitest';
import { call, createApi } from '../../src/api/client';

afterEach(() => {
  vi.unstubAllGlobals();
});

function answering(status: number) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ message: 'Invalid token' }), { status })),
  );
}

describe('a 401', () => {
  it('ends the session whose token it refused', async () => {
    answering(401);
    const onUnauthorized = vi.fn();
    const api = createApi({ baseUrl: 'http://api.test', token: () => 'current', onUnauthorized });
    await expect(call(api.GET('/api/v1/rooms', {}))).rejects.toThrow('Invalid token');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
  it('ends nothing when it answers a token the tab no longer holds', async () => {
    let token = 'old';
    const sent: (string | null)[] = [];
    // The request leaves with the old token; the user signs in again before the answer.
    vi.stubGlobal(
      'fetch',
      vi.fn(async (request: Request) => {
        sent.push(request.headers.get('Authorization'));
        token = 'new';
        return new Response(JSON.stringify({ message: 'Invalid token' }), { status: 401 });
      }),
    );
    const onUnauthorized = vi.fn();
    const api = createApi({ baseUrl: 'http://api.test', token: () => token, onUnauthorized });
    await expect(call(api.GET('/api/v1/rooms', {}))).rejects.toThrow();
    expect(sent).toEqual(['Bearer old']);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
  it('ends nothing for a request sent without a token', async () => {
    answering(401);
    const onUnauthorized = vi.fn();
    const api = createApi({ baseUrl: 'http://api.test', token: () => null, onUnauthorized });
    await expect(call(api.GET('/api/v1/rooms', {}))).rejects.toThrow();
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});
