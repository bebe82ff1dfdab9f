// The console's Content-Security-Policy, built from its runtime configuration. The dev and
// preview servers send it (vite.config.ts); CloudFront sends the same policy in AWS (a
// response headers policy in the template). Kept free of DOM types: vite.config.ts uses it.

export interface CspSources {
  /** The API's base URL from config.json; empty when the API is served from the console's origin. */
  apiBaseUrl: string;
  /** Where presigned video URLs point (the recordings bucket's origin). */
  mediaOrigin: string;
  /** The Vite dev server: hot reload over a WebSocket and styles injected by script. */
  dev?: boolean;
  /** Origins that may frame the page (the embeddable room recordings); none by default. */
  frameAncestors?: string[];
}

/** The embeddable pages: a room's recordings alone, and a recording opened from them. */
export function isEmbeddable(path: string): boolean {
  return /^\/room\/[^/]+\/recordings(\/[^/]+)?\/?$/.test(path);
}

/** `CONSOLE_EMBED_ORIGINS`: space-separated https (or, locally, http) origins. */
export function parseEmbedOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((o) => originOf(o))
    .filter((o): o is string => o !== null);
}

export function originOf(url: string): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function contentSecurityPolicy({
  apiBaseUrl,
  mediaOrigin,
  dev = false,
  frameAncestors = [],
}: CspSources): string {
  const api = originOf(apiBaseUrl);
  const media = originOf(mediaOrigin);
  const connect = ["'self'", api, dev ? 'ws:' : null].filter(Boolean).join(' ');
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    `media-src ${media ?? "'none'"}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
    "object-src 'none'",
  ];
  return directives.join('; ');
}

/** The other security headers CloudFront's policy sets too. */
export const securityHeaders: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};
