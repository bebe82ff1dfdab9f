// Share links with options and the activity trail, in a real browser against the local
// stack: a recipient opening a link with a password, a play-only link and one with a view
// limit (links created through the API, pages opened in fresh contexts with no
// credentials); then the console, where an administrator shares with options, plays the
// recording and reads its Activity tab. Run after room.test.mjs by `scripts/console.sh test`;
// uses only the Design review room's complete recordings, which the earlier tests keep.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_URL, allRecordings, api, CONSOLE_URL, capture, done, launch, newPage, signIn } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const open = (options) => newPage(browser, options);

const PASSWORD = 'correct horse battery';

/** A complete recording of Design review (the first one is the console tests' to share). */
async function designReview(index) {
  const list = await allRecordings('roomId=design-review-p4q9z&status=complete');
  assert.ok(list[index], `a complete Design review recording at ${index} (${list.length} of them)`);
  return list[index];
}

/** A new link, through the API (as an integration), with `options` in the POST's body. */
async function createLink(recordingId, options) {
  const created = await api(`/api/v1/recordings/${recordingId}/url`, { method: 'POST', body: options });
  assert.equal(created.status, 200, created.text);
  return created.body;
}

/** The link's own view of a recording route, as a recipient with no credentials calls it. */
async function withLink(link, path, { password } = {}) {
  const url = new URL(`${API_URL}${path}`);
  url.searchParams.set('secret', new URL(link.url).searchParams.get('secret'));
  const response = await fetch(url, {
    headers: password === undefined ? {} : { 'X-Share-Password': password },
    redirect: 'manual',
  });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, body, text };
}

async function shareOf(recordingId, shareId) {
  const { status, body, text } = await api(`/api/v1/recordings/${recordingId}/shares`);
  assert.equal(status, 200, text);
  const share = body.shares.find((s) => s.shareId === shareId);
  assert.ok(share, `link ${shareId} is listed`);
  return share;
}

/** Resolves once the page's <video> (waited for: the page may still be navigating) has
 * data to play. */
async function videoReady(page) {
  await page.locator('video').waitFor();
  return page.$eval('video', (video) =>
    video.readyState >= 2
      ? video.readyState
      : new Promise((resolve, reject) => {
          video.addEventListener('loadeddata', () => resolve(video.readyState), { once: true });
          video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}`)), { once: true });
        }),
  );
}

/** The form's POST to the page's own URL, answered. */
function formPost(page, link) {
  const path = new URL(link.url).pathname;
  return page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path);
}

test('a link with a password: the recipient page asks for it, refuses a wrong one, plays with the right one', async () => {
  const recording = await designReview(2);
  const link = await createLink(recording.recordingId, { password: PASSWORD });
  assert.equal(link.passwordRequired, true);
  assert.equal(link.allowDownload, true);
  assert.equal(link.maxViews, null);
  assert.ok(!link.url.includes(encodeURIComponent(PASSWORD)) && !link.url.includes(PASSWORD), 'no password in the URL');

  // The recipient: a fresh context, no credentials.
  const h = await open();
  const { page } = h;
  await page.goto(link.url);
  const field = page.getByLabel('Password', { exact: true });
  await field.waitFor();
  assert.equal(await field.getAttribute('type'), 'password');
  assert.equal(await page.locator('video').count(), 0, 'no player before the password');

  await field.fill('not the password');
  const [wrong] = await Promise.all([
    formPost(page, link),
    page.getByRole('button', { name: 'Open recording' }).click(),
  ]);
  assert.equal(wrong.status(), 401);
  await page.getByRole('alert').filter({ hasText: 'That password is not right. Try again.' }).waitFor();
  assert.equal(await page.locator('video').count(), 0, 'still no player');

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  const [right] = await Promise.all([
    formPost(page, link),
    page.getByRole('button', { name: 'Open recording' }).click(),
  ]);
  // The right password: a view pass (a cookie) and back to the page, which plays.
  assert.equal(right.status(), 303);
  assert.ok((await videoReady(page)) >= 2, 'the video plays');
  // A reload (as the page's own refresh of an expired video URL does) asks nothing again.
  await page.reload();
  assert.ok((await videoReady(page)) >= 2, 'the video plays after a reload');
  assert.equal(await page.getByLabel('Password', { exact: true }).count(), 0, 'no password asked again');
  assert.ok(!page.url().includes(encodeURIComponent(PASSWORD)) && !page.url().includes('password='), page.url());
  await done(h);

  // The API: 401 without the password or with a wrong one, saying which; the video with it.
  const none = await withLink(link, `/api/v1/recordings/${recording.recordingId}/media?redirect=false`);
  assert.equal(none.status, 401, none.text);
  assert.match(none.body.message, /password/i);
  const bad = await withLink(link, `/api/v1/recordings/${recording.recordingId}/media?redirect=false`, {
    password: 'not the password',
  });
  assert.equal(bad.status, 401, bad.text);
  assert.match(bad.body.message, /password/i);
  assert.notEqual(bad.body.message, none.body.message, 'the message says which');
  const good = await withLink(link, `/api/v1/recordings/${recording.recordingId}/media?redirect=false`, {
    password: PASSWORD,
  });
  assert.equal(good.status, 200, good.text);
  assert.ok(good.body.url);
});

test('a play-only link: its page plays with no Download link, and the API refuses the download', async () => {
  const recording = await designReview(2);
  const playOnly = await createLink(recording.recordingId, { allowDownload: false });
  assert.equal(playOnly.allowDownload, false);
  assert.equal(playOnly.passwordRequired, false);

  const h = await open();
  const { page } = h;
  const response = await page.goto(playOnly.url);
  assert.equal(response.status(), 200);
  assert.ok((await videoReady(page)) >= 2, 'the video plays');
  assert.equal(await page.getByRole('link', { name: 'Download' }).count(), 0, 'no Download link');
  assert.equal(await page.getByRole('button', { name: 'Download' }).count(), 0, 'nor a Download button');

  // An ordinary link's page, for comparison, has one.
  const ordinary = await createLink(recording.recordingId, {});
  assert.equal(ordinary.allowDownload, true);
  await page.goto(ordinary.url);
  await page.getByRole('link', { name: 'Download' }).waitFor();
  await done(h);

  const download = await withLink(playOnly, `/api/v1/recordings/${recording.recordingId}/download?redirect=false`);
  assert.equal(download.status, 403, download.text);
  const media = await withLink(playOnly, `/api/v1/recordings/${recording.recordingId}/media?redirect=false`);
  assert.equal(media.status, 200, media.text);
  assert.ok(media.body.url);
});

test('a link of 2 views: reading the recording is no view; plays and the page are; then 410, and the page says so', async () => {
  const recording = await designReview(2);
  const link = await createLink(recording.recordingId, { maxViews: 2 });
  assert.equal(link.maxViews, 2);
  const shareId = link.shareId;

  for (let i = 0; i < 2; i++) {
    const read = await withLink(link, `/api/v1/recordings/${recording.recordingId}`);
    assert.equal(read.status, 200, read.text);
  }
  assert.equal((await shareOf(recording.recordingId, shareId)).views, 0, 'reading the recording is not a view');

  const play = await withLink(link, `/api/v1/recordings/${recording.recordingId}/media?redirect=false`);
  assert.equal(play.status, 200, play.text);
  assert.equal((await shareOf(recording.recordingId, shareId)).views, 1);

  const h = await open();
  const { page } = h;
  let response = await page.goto(link.url);
  assert.equal(response.status(), 200, 'the second view: the player page');
  await page.locator('video').waitFor();
  const share = await shareOf(recording.recordingId, shareId);
  assert.equal(share.views, 2);
  assert.equal(share.maxViews, 2);

  const refused = await withLink(link, `/api/v1/recordings/${recording.recordingId}/media?redirect=false`);
  assert.equal(refused.status, 410, refused.text);
  assert.match(refused.body.message, /view limit reached/i);
  // The browser that viewed it reloads its own view: counted once, still playing.
  response = await page.goto(link.url);
  assert.equal(response.status(), 200, 'a reload of a counted view');
  assert.equal((await shareOf(recording.recordingId, shareId)).views, 2);
  await done(h);
  // Anyone else: used up.
  const other = await open();
  response = await other.page.goto(link.url);
  assert.equal(response.status(), 410);
  await other.page.getByRole('heading', { name: 'This link has reached its view limit' }).waitFor();
  await done(other);
});

/** Waits until the Activity panel lists entries of every kind in `kinds`, refreshing it
 * while they are not there yet (an entry may be written just after its answer). */
async function waitForKinds(panel, kinds, timeout = 20_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const counts = await Promise.all(kinds.map((k) => panel.locator(`[data-kind="${k}"]`).count()));
    if (counts.every((n) => n > 0)) return;
    assert.ok(Date.now() < until, `the activity lists ${kinds.join(', ')} (found ${counts.join(', ')})`);
    await panel.page().waitForTimeout(500);
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await panel.locator('[data-activity-id], .empty').first().waitFor();
  }
}

test('the console: an administrator shares with options, plays the recording, and its Activity tab shows both', async () => {
  const h = await open();
  const { page } = h;
  const recording = await designReview(1);
  await signIn(page, `/recordings/${recording.recordingId}`);
  await page.getByRole('heading', { level: 1, name: /Design review/ }).waitFor();

  // Share, with options: play only, a password, 10 views.
  const creations = [];
  page.on('request', (request) => {
    if (/^\/api\/v1\/recordings\/[^/]+\/url$/.test(new URL(request.url()).pathname)) {
      creations.push({ method: request.method(), url: request.url(), body: request.postData() });
    }
  });
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Share recording' });
  const allowDownload = dialog.getByRole('checkbox', { name: /^Allow download/ });
  assert.equal(await allowDownload.isChecked(), true, 'downloads are allowed by default');
  await allowDownload.uncheck();
  await dialog.getByRole('checkbox', { name: /^Require a password/ }).check();
  const password = dialog.getByLabel('Link password');
  await password.fill('short');
  await dialog.getByRole('checkbox', { name: /^Limit views/ }).check();
  await dialog.getByLabel('Number of views').fill('10');

  // Too short: said before anything is sent.
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'The password is too short' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'share-password');
  assert.equal(creations.length, 0, 'nothing sent');

  await password.fill(PASSWORD);
  await capture(page, 'share-dialog-options');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/url$/.test(new URL(r.url()).pathname)),
    dialog.getByRole('button', { name: 'Create link' }).click(),
  ]);
  assert.equal(answer.status(), 200);
  const { shareId } = await answer.json();
  const url = await dialog.locator('#share-url').inputValue();
  assert.match(url, /\/recording\/.+\?secret=/);
  // One POST, the options in its JSON body, the password in no URL.
  assert.equal(creations.length, 1);
  assert.equal(creations[0].method, 'POST');
  assert.ok(!creations[0].url.includes('password') && !creations[0].url.includes(encodeURIComponent(PASSWORD)));
  assert.deepEqual(JSON.parse(creations[0].body), {
    privateAccess: false,
    allowDownload: false,
    password: PASSWORD,
    maxViews: 10,
  });
  await dialog.getByText('Play only, password required, at most 10 views.').waitFor();

  // The links list says what it allows, in words.
  const row = dialog.locator(`tr[data-share-id="${shareId}"]`);
  await row.locator('[data-field="views"]').getByText('10 of 10 views left', { exact: true }).waitFor();
  const options = await row.locator('[data-field="options"]').textContent();
  assert.match(options, /Play only/);
  assert.match(options, /Password required/);
  const stored = await shareOf(recording.recordingId, shareId);
  assert.deepEqual(
    { allowDownload: stored.allowDownload, passwordRequired: stored.passwordRequired, maxViews: stored.maxViews },
    { allowDownload: false, passwordRequired: true, maxViews: 10 },
  );
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  // Play it.
  await page.waitForSelector('video');
  const advanced = await page.$eval('video', async (video) => {
    video.muted = true;
    await new Promise((resolve, reject) => {
      if (video.readyState >= 2) resolve();
      video.addEventListener('loadeddata', resolve, { once: true });
      video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}`)), { once: true });
    });
    await video.play();
    const start = video.currentTime;
    await new Promise((r) => setTimeout(r, 1000));
    video.pause();
    return video.currentTime - start;
  });
  assert.ok(advanced > 0.2, `the video played (${advanced} s)`);

  // The Activity tab: the share and the play, newest first, in words.
  const details = page.getByRole('tab', { name: 'Details' });
  const activity = page.getByRole('tab', { name: 'Activity' });
  assert.equal(await details.getAttribute('aria-selected'), 'true');
  await activity.click();
  assert.equal(await activity.getAttribute('aria-selected'), 'true');
  const panel = page.getByRole('tabpanel', { name: 'Activity' });
  await waitForKinds(panel, ['shareCreated', 'played']);
  // The entries once the panel has settled (a refresh replaces them).
  let entries = [];
  let shared = -1;
  for (const until = Date.now() + 10_000; shared < 0 && Date.now() < until; ) {
    await panel.locator('[data-activity-id]').first().waitFor();
    entries = await panel
      .locator('[data-activity-id]')
      .evaluateAll((rows) => rows.map((r) => ({ kind: r.dataset.kind, text: r.textContent })));
    shared = entries.findIndex((e) => e.kind === 'shareCreated' && e.text.includes(`Link ${shareId.slice(0, 6)}`));
  }
  assert.ok(shared >= 0, `our link's creation is listed: ${JSON.stringify(entries)}`);
  // The view handed out the video's URL (a play) when it opened, before the share.
  const played = entries.findIndex((e) => e.kind === 'played');
  assert.ok(played >= 0, 'the play is listed');
  const shareRow = panel
    .locator('[data-kind="shareCreated"]')
    .nth(entries.slice(0, shared).filter((e) => e.kind === 'shareCreated').length);
  assert.match(await shareRow.locator('[data-field="what"]').textContent(), /^Share link created/);
  assert.match(
    await shareRow.locator('[data-field="what"]').textContent(),
    /Public, play only, password required, at most 10 views/,
  );
  assert.equal(await shareRow.locator('[data-field="who"]').textContent(), 'Administrator');
  assert.equal(await shareRow.locator('[data-field="result"]').textContent(), 'OK');
  const playRow = panel.locator('[data-kind="played"]').first();
  assert.equal(await playRow.locator('[data-field="what"]').textContent(), 'Played');
  assert.equal(await playRow.locator('[data-field="who"]').textContent(), 'Administrator');
  // When: relative, with the date and time on hover.
  assert.ok(await playRow.locator('time[title]').getAttribute('datetime'));
  // The picture shows the tab, not the video above it.
  await page.getByRole('tablist').evaluate((tabs) => tabs.scrollIntoView({ block: 'start' }));
  await capture(page, 'recording-activity');

  // The trail never shows a secret or the password.
  const text = await panel.textContent();
  const secret = new URL(url).searchParams.get('secret');
  assert.ok(!text.includes(secret) && !text.includes(PASSWORD));
  const trail = await api(`/api/v1/recordings/${recording.recordingId}/activity?kind=shareCreated`);
  assert.equal(trail.status, 200, trail.text);
  assert.ok(!trail.text.includes(secret) && !trail.text.includes(PASSWORD), 'no secret in the trail');

  // Filter by kind: unticking Played asks for the other kinds only.
  const [filtered] = await Promise.all([
    page.waitForRequest(
      (r) => /\/activity$/.test(new URL(r.url()).pathname) && new URL(r.url()).searchParams.has('kind'),
    ),
    panel.getByRole('checkbox', { name: 'Played', exact: true }).uncheck(),
  ]);
  assert.equal(
    new URL(filtered.url()).searchParams.get('kind'),
    'downloaded,shareCreated,shareOpened,shareRevoked,deleted,restored,legalHoldSet,legalHoldReleased,titleChanged',
  );
  await panel.locator('[data-kind="shareCreated"]').first().waitFor();
  assert.equal(await panel.locator('[data-kind="played"]').count(), 0);
  await panel.getByRole('button', { name: 'Show every kind' }).click();
  await panel.locator('[data-kind="played"]').first().waitFor();

  // Keyboard: the arrows move between the tabs.
  await activity.focus();
  await page.keyboard.press('ArrowLeft');
  assert.equal(await details.getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Details');
  await page.getByRole('button', { name: 'Copy recording id' }).waitFor();
  await page.keyboard.press('End');
  assert.equal(await activity.getAttribute('aria-selected'), 'true');
  await done(h);
});

test('the Activity tab on a narrow screen: one sentence per entry, no horizontal scroll', async () => {
  const h = await open({ width: 360, height: 780 });
  const { page } = h;
  const recording = await designReview(1);
  // The view's play (its video URL handed out) is in the trail once that answer is in.
  const played = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/media'));
  await signIn(page, `/recordings/${recording.recordingId}`);
  await played;
  await page.getByRole('tab', { name: 'Activity' }).click();
  const panel = page.getByRole('tabpanel', { name: 'Activity' });
  await panel.locator('.activity-list [data-kind="played"]').first().waitFor();
  assert.match(
    await panel.locator('.activity-list [data-kind="played"] .activity-sentence').first().textContent(),
    /^Played by Administrator from .+\.$/,
  );
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no horizontal scroll at 360 px (${overflow} px)`);
  await done(h);
});

test('the Activity tab is for those who may delete: not shown to a speaker', async () => {
  const room = await api('/api/v1/rooms/daily-standup-x7k2m');
  assert.equal(room.status, 200, room.text);
  const recording = (await allRecordings('roomId=daily-standup-x7k2m&status=complete'))[0];
  const h = await open();
  const { page } = h;
  await page.goto(room.body.speakerUrl);
  await page.getByRole('heading', { name: room.body.roomName, level: 1 }).waitFor();
  await page.goto(`${CONSOLE_URL}/room/daily-standup-x7k2m/recordings/${recording.recordingId}`);
  await page.locator('video').waitFor();
  assert.equal(await page.getByRole('tab').count(), 0, 'no tabs');
  assert.equal(await page.getByText('Activity', { exact: true }).count(), 0);
  await done(h);
});
