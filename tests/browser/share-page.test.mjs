// The recipient's page in a real browser: Debian's Chromium, driven by Playwright, against
// the API served by `cargo lambda watch`. scripts/smoke.sh sets the URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is set (run through scripts/smoke.sh)`);
  return value;
};

let browser;

// With SCREENSHOT_DIR set (docs/ when refreshing the committed pictures), keep a picture.
const screenshot = async (page, name) => {
  if (process.env.SCREENSHOT_DIR) {
    await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${name}` });
  }
};

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // No sandbox as root; no background traffic, which this machine's network refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
});

test('a shared recording plays, reporting its duration', async () => {
  const page = await browser.newPage();
  const response = await page.goto(env('SHARE_URL'));
  assert.equal(response.status(), 200);
  const duration = await page.$eval('video', (video) =>
    video.readyState >= 1
      ? video.duration
      : new Promise((resolve, reject) => {
          video.addEventListener('loadedmetadata', () => resolve(video.duration));
          video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}`)));
        }),
  );
  assert.ok(
    Math.abs(duration - Number(env('EXPECTED_DURATION'))) < 0.5,
    `duration ${duration}`,
  );
  assert.match(await page.textContent('h1'), /Daily standup/);
  assert.equal(await page.textContent('a.button'), 'Download');
  await screenshot(page, 'share-page.png');
  await page.close();
});

test('a revoked link says so, with 410', async () => {
  const page = await browser.newPage();
  const response = await page.goto(env('REVOKED_URL'));
  assert.equal(response.status(), 410);
  assert.match(await page.textContent('h1'), /revoked/);
  await screenshot(page, 'share-page-revoked.png');
  await page.close();
});

test('a wrong secret finds nothing, with 404', async () => {
  const page = await browser.newPage();
  const response = await page.goto(`${env('SHARE_URL')}x`);
  assert.equal(response.status(), 404);
  assert.match(await page.textContent('h1'), /not found/);
  await page.close();
});
