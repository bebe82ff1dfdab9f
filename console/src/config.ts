// The per-environment settings, read once at start from /config.json beside index.html
// (written by `make dev` locally and `make deploy` in AWS), so one build serves every
// environment.

export interface ConsoleConfig {
  /** Base URL of the API, without /api/v1; empty for the console's own origin. */
  apiBaseUrl: string;
  /** Origin of presigned video URLs (the recordings bucket); used by the CSP only. */
  mediaOrigin: string;
  /** Shown in the header when set ("local", "staging"). */
  environment: string | null;
}

export function parseConfig(raw: unknown): ConsoleConfig {
  if (raw === null || typeof raw !== 'object') throw new Error('config.json is not a JSON object');
  const object = raw as Record<string, unknown>;
  if (typeof object.apiBaseUrl !== 'string') throw new Error('config.json has no apiBaseUrl');
  const apiBaseUrl = object.apiBaseUrl.replace(/\/+$/, '');
  if (apiBaseUrl && !/^https?:\/\//.test(apiBaseUrl)) {
    throw new Error('config.json: apiBaseUrl must be an http(s) URL, or empty');
  }
  return {
    apiBaseUrl,
    mediaOrigin: typeof object.mediaOrigin === 'string' ? object.mediaOrigin : '',
    environment: typeof object.environment === 'string' && object.environment ? object.environment : null,
  };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be read (status ${response.status})`);
  return parseConfig(await response.json());
}
