// Time from navigation to the first rows of the Recordings page, in headless Chromium,
// signed in (the token put in sessionStorage before the app starts, so sign-in is not
// measured). Prints one JSON line: {runs, medianMs, minMs, maxMs, requestsPerPage}.
//   node tests/bench/first-rows.mjs CONSOLE_URL API_URL [RUNS]
import { launch } from '../browser/helpers.mjs';

const [consoleUrl, apiUrl, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 7);
const login = await fetch(`${apiUrl}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    username: process.env.ADMIN_USERNAME ?? 'admin',
    password: process.env.ADMIN_PASSWORD ?? 'admin-local-password',
  }),
});
if (!login.ok) throw new Error(`login: ${login.status}`);
const { accessToken, expiresIn } = await login.json();

const browser = await launch();
const times = [];
let listRequests = 0;
try {
  // One warm-up visit (the function's cold start, the browser's first launch), then the runs.
  for (let i = 0; i <= runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript(
      ([token, expiresAt]) => sessionStorage.setItem('recordings-console:admin', JSON.stringify({ token, expiresAt })),
      [accessToken, Date.now() + expiresIn * 1000],
    );
    const page = await context.newPage();
    let lists = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/recordings') lists += 1;
    });
    await page.goto(`${consoleUrl}/recordings`, { waitUntil: 'commit' });
    await page.waitForSelector('[data-recording-id]', { timeout: 60_000 });
    const ms = await page.evaluate(() => performance.now());
    if (i > 0) times.push(ms);
    listRequests = Math.max(listRequests, lists);
    await context.close();
  }
} finally {
  await browser.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  JSON.stringify({
    runs,
    medianMs: Math.round(median),
    minMs: Math.round(times[0]),
    maxMs: Math.round(times[times.length - 1]),
    requestsPerPage: listRequests,
  }),
);
