/// <reference types="vitest/config" />
// Vite: `vite` serves the console with hot reload (make dev), `vite build` writes dist/ as
// deployed, `vite preview` serves dist/ (the browser tests and the benchmark). Both servers
// send the same Content-Security-Policy as CloudFront, built from the config.json they
// serve. CONSOLE_API_PROXY (set by scripts/console.sh) forwards /api/ to the local API, for
// a config.json whose apiBaseUrl is empty (the API on the console's own origin).
import { readFileSync } from 'node:fs';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';
import { contentSecurityPolicy, securityHeaders } from './src/lib/csp.ts';

function headersFor(configFile: string, dev: boolean): Record<string, string> {
  let config: { apiBaseUrl?: string; mediaOrigin?: string } = {};
  try {
    config = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    // No config.json yet: the app says so at start; the policy allows no API at all.
  }
  return {
    'Content-Security-Policy': contentSecurityPolicy({
      apiBaseUrl: config.apiBaseUrl ?? '',
      mediaOrigin: config.mediaOrigin ?? '',
      dev,
    }),
    ...securityHeaders,
  };
}

const proxyTarget = process.env.CONSOLE_API_PROXY;
const proxy = proxyTarget ? { '/api/': { target: proxyTarget, changeOrigin: false } } : undefined;
const port = Number(process.env.CONSOLE_PORT ?? 5173);

export default defineConfig(({ command }) => ({
  plugins: [preact({ prefreshEnabled: true, devToolsEnabled: false })],
  build: { target: 'es2022', sourcemap: true, assetsInlineLimit: 0 },
  server: {
    port,
    strictPort: true,
    host: '127.0.0.1',
    headers: command === 'serve' ? headersFor('public/config.json', true) : {},
    proxy,
  },
  preview: {
    port,
    strictPort: true,
    host: '127.0.0.1',
    headers: headersFor('dist/config.json', false),
    proxy,
  },
  test: { include: ['tests/unit/**/*.test.ts'], environment: 'node' },
}));
