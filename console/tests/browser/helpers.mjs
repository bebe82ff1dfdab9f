// Shared by the console's browser tests: Debian's Chromium through playwright-core, the
// local API called directly (with the local API key) to set up and check, screenshots and
// the accessibility scan. scripts/console.sh test sets the environment.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is set (run through scripts/console.sh test)`);
  return value;
};

export const CONSOLE_URL = process.env.CONSOLE_URL ?? 'http://localhost:5273';
export const API_URL = process.env.API_URL ?? 'http://127.0.0.1:9300';
export const API_KEY = process.env.LOCAL_API_KEY ?? 'local-dev-api-key-change-me';
export const ADMIN = {
  username: process.env.ADMIN_USERNAME ?? 'admin',
  password: process.env.ADMIN_PASSWORD ?? 'admin-local-password',
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // No sandbox as root; no background traffic, which this machine's network refuses.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** Every page's CSP violations and uncaught errors, checked at the end of each test. */
export function watch(page) {
  const problems = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(text)) problems.push(text);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

export async function newPage(browser, { width = 1280, height = 860, permissions = [] } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/Madrid',
  });
  if (permissions.length) await context.grantPermissions(permissions, { origin: CONSOLE_URL });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems = watch(page);
  return { context, page, problems };
}

/** Closes a page's context; the page met no CSP violation and threw nothing. */
export async function done({ context, page, problems }) {
  // Requests still in flight when a context closes are cut off mid-answer, which the local
  // emulator (cargo lambda watch) does not always take well: let them finish first.
  await page?.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => {});
  await context.close();
  assert.deepEqual(problems, [], 'no CSP violation or uncaught error');
}

export async function signIn(page, next = '/recordings') {
  await page.goto(`${CONSOLE_URL}${next}`);
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/** The API as an integration sees it (the local API key). */
export async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    headers: { 'X-API-KEY': API_KEY, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, body: json, text };
}

export async function allRecordings(query = '') {
  const out = [];
  let token = null;
  do {
    const q = new URLSearchParams(query);
    q.set('maxItems', '100');
    if (token) q.set('nextPageToken', token);
    const { status, body, text } = await api(`/api/v1/recordings?${q}`);
    assert.equal(status, 200, `listing the recordings: ${text}`);
    out.push(...body.recordings);
    token = body.pagination.nextPageToken ?? null;
  } while (token);
  return out;
}

/** The ids of the rows shown, in order. */
export async function rowIds(page) {
  return page.$$eval('[data-recording-id]', (rows) => rows.map((r) => r.getAttribute('data-recording-id')));
}

export async function waitForRows(page) {
  await page.waitForSelector('tbody [data-recording-id], .cards [data-recording-id]');
}

const SCREENSHOTS = process.env.SCREENSHOT_DIR;

/** A picture of the page (docs/screenshots/), and an accessibility scan of it. */
export async function capture(page, name) {
  // Let transitions and toasts settle a moment.
  await page.waitForTimeout(150);
  if (SCREENSHOTS) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
  }
  await assertAccessible(page, name);
}

/** axe-core over the page: no violation of impact "serious" or "critical". */
export async function assertAccessible(page, name) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
      );
  });
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}
