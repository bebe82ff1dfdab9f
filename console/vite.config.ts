/// <reference types="vitest/config" />
// Vite: `vite` serves the console with hot reload (make dev), `vite build` writes dist/ as
// deployed, `vite preview` serves dist/ (the browser tests and the benchmark). Both servers
// send the same Content-Security-Policy as CloudFront, built from the config.json they
// serve. CONSOLE_API_PROXY (set by scripts/console.sh) forwards /api/ to the local API, for
// a config.json whose apiBaseUrl is empty (the API on the console's own origin).
import { readFileSync } from 'node:fs';
import preact from '@preact/preset-vite';
import { type Connect, defineConfig, type Plugin } from 'vite';
import { contentSecurityPolicy, isEmbeddable, parseEmbedOrigins, securityHeaders } from './src/lib/csp.ts';

function headersFor(configFile: string, dev: boolean, frameAncestors: string[] = []): Record<string, string> {
  let config: { apiBaseUrl?: string; mediaOrigin?: string } = {};
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    // No config.json yet: the app says so at start; the policy allows no API at all.
  }
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy({
      apiBaseUrl: config.apiBaseUrl ?? '',
      mediaOrigin: config.mediaOrigin ?? '',
      dev,
      frameAncestors,
    }),
    ...securityHeaders,
  };
  // X-Frame-Options cannot name origins: framed pages leave it to the CSP.
  if (frameAncestors.length) delete headers['X-Frame-Options'];
  return headers;
}

/** The headers on every answer, as CloudFront sends them: the embeddable room recordings
 * may be framed by CONSOLE_EMBED_ORIGINS, nothing else by anyone. */
function securityHeadersPlugin(): Plugin {
  const embed = parseEmbedOrigins(process.env.CONSOLE_EMBED_ORIGINS);
  const use = (configFile: string, dev: boolean) => (server: { middlewares: Connect.Server }) => {
    const strict = headersFor(configFile, dev);
    const framed = headersFor(configFile, dev, embed);
    server.middlewares.use((req, res, next) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      for (const [name, value] of Object.entries(isEmbeddable(path) ? framed : strict)) res.setHeader(name, value);
      next();
    });
  };
  return {
    name: 'security-headers',
    configureServer: use('public/config.json', true),
    configurePreviewServer: use('dist/config.json', false),
  };
}

const proxyTarget = process.env.CONSOLE_API_PROXY;
const proxy = proxyTarget ? { '/api/': { target: proxyTarget, changeOrigin: false } } : undefined;
const port = Number(process.env.CONSOLE_PORT ?? 5173);

export default defineConfig(() => ({
  plugins: [preact({ prefreshEnabled: true, devToolsEnabled: false }), securityHeadersPlugin()],
  build: { target: 'es2022', sourcemap: true, assetsInlineLimit: 0 },
  server: {
    port,
    strictPort: true,
    host: '127.0.0.1',
    proxy,
  },
  preview: {
    port,
    strictPort: true,
    host: '127.0.0.1',
    proxy,
  },
  test: { include: ['tests/unit/**/*.test.ts'], environment: 'node' },
}));
