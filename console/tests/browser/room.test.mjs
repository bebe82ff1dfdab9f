// The participants' room view in a real browser, against the local stack and the local
// media server (devstack/media-server, started and stopped here on LIVEKIT_URL, reporting
// to the API's webhook route): room links, what each role sees, recording control and its
// indicator. Run after console.test.mjs and recycle-bin.test.mjs by `scripts/console.sh test`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  API_URL,
  allRecordings,
  api,
  CONSOLE_URL,
  capture,
  done,
  env,
  launch,
  newPage,
  rowIds,
  signIn,
} from './helpers.mjs';

const MEDIA_SERVER_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../devstack/media-server');
const LIVEKIT_URL = env('LIVEKIT_URL');

let browser;
let mediaServer = null;

/** Starts the local media server, signing with `secret`; resolves once it answers. */
async function startMediaServer(secret = env('LIVEKIT_API_SECRET')) {
  const child = spawn(process.execPath, [join(MEDIA_SERVER_DIR, 'server.mjs')], {
    env: { ...process.env, LIVEKIT_API_SECRET: secret, MEDIA_SERVER_UPDATE_MS: '500' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  mediaServer = child;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the media server exited (${child.exitCode})`);
    try {
      if ((await fetch(LIVEKIT_URL)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the media server did not answer');
}

async function stopMediaServer() {
  const child = mediaServer;
  mediaServer = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

before(async () => {
  browser = await launch();
  await startMediaServer();
});
after(async () => {
  await browser?.close();
  await stopMediaServer();
});

const open = (options) => newPage(browser, options);

/** A new room and its links (the administrator's view of it). */
async function createRoom(name, recording) {
  const created = await api('/api/v1/rooms', { method: 'POST', body: { roomName: name, config: { recording } } });
  assert.equal(created.status, 201, created.text);
  return created.body;
}

async function roomOf(roomId) {
  const { status, body } = await api(`/api/v1/rooms/${roomId}`);
  assert.equal(status, 200);
  return body;
}

/** Opens a room link in a fresh context; resolves once the room's name shows. */
async function openLink(url, name, options) {
  const h = await open(options);
  await h.page.goto(url);
  await h.page.getByRole('heading', { name, level: 1 }).waitFor();
  return h;
}

async function waitForStatus(roomId, wanted, timeout = 30_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const room = await roomOf(roomId);
    const status = room.currentRecording?.status ?? null;
    if (status === wanted) return room;
    assert.ok(Date.now() < until, `room ${roomId}: waited for ${wanted}, has ${status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a moderator opens the room link: the secret leaves the address bar; the room is listed; they delete one, undo, and delete it for good from the recycle bin', async () => {
  const room = await roomOf('daily-standup-x7k2m');
  assert.ok(room.moderatorUrl.startsWith(`${CONSOLE_URL}/room/daily-standup-x7k2m?secret=`), room.moderatorUrl);
  const h = await openLink(room.moderatorUrl, room.roomName);
  const { page } = h;
  assert.equal(new URL(page.url()).search, '', 'no secret in the address bar');
  // Nor in the history: one step back is the page before the link.
  await page.goBack();
  assert.ok(!page.url().includes('secret='), page.url());
  await page.goForward();
  await page.getByRole('heading', { name: room.roomName, level: 1 }).waitFor();
  await page.getByText('You are in this room as moderator').waitFor();
  await page.waitForSelector('[data-recording-id]');

  const stored = await allRecordings('roomId=daily-standup-x7k2m');
  assert.deepEqual(
    await rowIds(page),
    stored.map((r) => r.recordingId),
    "the room's recordings, newest first",
  );
  assert.equal(await page.locator('th', { hasText: 'Room' }).count(), 0, 'no room column');
  await page.getByRole('button', { name: 'Start recording' }).waitFor();
  await capture(page, 'room-moderator');

  const doomed = stored.find((r) => r.status === 'complete');
  assert.ok(doomed, 'a complete recording to delete');
  const row = page.locator(`[data-recording-id="${doomed.recordingId}"]`);
  const remove = async () => {
    await row.locator('[data-action="delete"]').click();
    const confirm = page.getByRole('dialog', { name: 'Delete this recording?' });
    await confirm.getByText('Moved to the recycle bin for 7 days, where it can be restored.').waitFor();
    // Only administrators may skip the bin.
    assert.equal(await confirm.getByRole('checkbox').count(), 0);
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await row.waitFor({ state: 'detached' });
  };
  await remove();
  assert.equal((await api(`/api/v1/recordings/${doomed.recordingId}`)).status, 404);
  // Undo, as the moderator: back in the list.
  await page
    .locator('.toast', { hasText: 'Recording moved to the recycle bin' })
    .getByRole('button', { name: /^Undo/ })
    .click();
  await page.getByText('Recording restored').waitFor();
  await row.waitFor();
  assert.equal((await api(`/api/v1/recordings/${doomed.recordingId}`)).status, 200);

  // Deleted again, it is in the room's recycle bin, which the moderator empties of it for good.
  await remove();
  await page.getByRole('link', { name: 'Recycle bin' }).click();
  await page.waitForURL(`${CONSOLE_URL}/room/daily-standup-x7k2m/recycle-bin`);
  await page.getByRole('heading', { name: 'Recycle bin', level: 1 }).waitFor();
  const binned = page.locator(`[data-recording-id="${doomed.recordingId}"]`);
  await binned.getByText('by Moderator').waitFor();
  await capture(page, 'room-recycle-bin');
  await binned.locator('[data-action="purge"]').click();
  const purge = page.getByRole('dialog', { name: 'Delete this recording permanently?' });
  await purge.getByText('This cannot be undone.').waitFor();
  await purge.getByRole('button', { name: 'Delete permanently' }).click();
  await page.getByText('Recording deleted permanently').waitFor();
  await binned.waitFor({ state: 'detached' });
  const bin = await allRecordings('trashed=true&roomId=daily-standup-x7k2m');
  assert.ok(!bin.some((r) => r.recordingId === doomed.recordingId), 'gone from the bin');
  await page.getByRole('link', { name: `← ${room.roomName}` }).click();
  await page.getByRole('heading', { name: room.roomName, level: 1 }).waitFor();

  // A reload keeps the room: the token is kept for this room, in this tab.
  await page.reload();
  await page.getByRole('heading', { name: room.roomName, level: 1 }).waitFor();
  await page.waitForSelector('[data-recording-id]');
  const storage = await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage));
  assert.ok(!storage.includes(new URL(room.moderatorUrl).searchParams.get('secret')), 'the secret is not kept');
  await done(h);
});

test('a speaker plays, downloads and shares, one or several as a ZIP; no delete, no recording control', async () => {
  const room = await roomOf('daily-standup-x7k2m');
  const h = await openLink(room.speakerUrl, room.roomName);
  const { page } = h;
  await page.getByText('You are in this room as speaker').waitFor();
  await page.waitForSelector('[data-recording-id]');
  const complete = (await allRecordings('roomId=daily-standup-x7k2m&status=complete'))[0];
  const row = page.locator(`[data-recording-id="${complete.recordingId}"]`);
  for (const action of ['play', 'download', 'share']) {
    assert.equal(await row.locator(`[data-action="${action}"]`).count(), 1, action);
  }
  assert.equal(await page.locator('[data-action="delete"]').count(), 0, 'no delete');
  // Rows can be selected to download them as one ZIP, never to delete them.
  await row.locator('input[type="checkbox"]').check();
  await page.getByRole('button', { name: 'Download as ZIP (1)' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Delete selected' }).count(), 0, 'no bulk delete');
  await row.locator('input[type="checkbox"]').uncheck();
  assert.equal(await page.getByRole('button', { name: /recording$/ }).count(), 0, 'no recording control');
  assert.equal(await page.getByRole('link', { name: 'Recycle bin' }).count(), 0, 'no recycle bin');
  await capture(page, 'room-speaker');

  // Sharing works for a speaker; the links list is for those who may revoke.
  await row.locator('[data-action="share"]').click();
  const dialog = page.getByRole('dialog', { name: /Share/ });
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await dialog.getByRole('button', { name: /Copy/ }).first().waitFor();
  await page.keyboard.press('Escape');

  // Play: the recording view within the room, and back.
  await row.locator('[data-action="play"]').click();
  await page.waitForURL(`${CONSOLE_URL}/room/daily-standup-x7k2m/recordings/${complete.recordingId}`);
  await page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2);
  assert.equal(await page.getByRole('button', { name: 'Delete' }).count(), 0);
  await page.getByRole('link', { name: `← ${room.roomName}` }).click();
  await page.waitForURL(`${CONSOLE_URL}/room/daily-standup-x7k2m`);
  // The room's recycle bin is for those who may delete.
  await page.goto(`${CONSOLE_URL}/room/daily-standup-x7k2m/recycle-bin`);
  await page.getByRole('heading', { name: "You are not allowed to access this room's recycle bin" }).waitFor();
  await done(h);
});

test('a speaker of an admins-and-moderators room is not allowed; once the administrator opens it to speakers, a reload shows the recordings', async () => {
  const room = await roomOf('design-review-p4q9z');
  assert.equal(room.config.recording.allowAccessTo, 'admin_moderator');
  const speaker = await openLink(room.speakerUrl, room.roomName);
  await speaker.page.getByRole('heading', { name: "You are not allowed to access this room's recordings" }).waitFor();
  await capture(speaker.page, 'room-not-allowed');

  // The administrator, in another context, changes the room's access to the default.
  const admin = await open();
  await signIn(admin.page, '/rooms');
  const card = admin.page.locator('[data-room-id="design-review-p4q9z"]');
  await card.getByRole('button', { name: `Recording settings of ${room.roomName}` }).click();
  const settings = admin.page.getByRole('dialog', { name: /Recording settings/ });
  await settings.getByText('Admins, moderators and speakers', { exact: true }).click();
  await settings.getByRole('button', { name: 'Save' }).click();
  await admin.page.getByText(`Settings of ${room.roomName} saved`).waitFor();
  await done(admin);

  try {
    await speaker.page.reload();
    await speaker.page.waitForSelector('[data-recording-id]');
    assert.equal(await speaker.page.locator('[data-action="delete"]').count(), 0);
    await done(speaker);
  } finally {
    await api('/api/v1/rooms/design-review-p4q9z/config', {
      method: 'PUT',
      body: { config: { recording: { allowAccessTo: 'admin_moderator' } } },
    });
  }
});

test('a moderator starts a recording; the speaker sees ● REC; stopped, it is listed complete in both views and plays', async () => {
  const room = await createRoom('Weekly sync', { enabled: true, allowAccessTo: 'admin_moderator_speaker' });
  const moderator = await openLink(room.moderatorUrl, 'Weekly sync');
  const speaker = await openLink(room.speakerUrl, 'Weekly sync');
  await moderator.page.getByRole('heading', { name: 'No recordings in this room yet' }).waitFor();

  await moderator.page.getByRole('button', { name: 'Start recording' }).click();
  await moderator.page.getByText('Recording started').waitFor();
  await speaker.page.getByText('● REC').waitFor({ timeout: 10_000 });
  const active = await waitForStatus(room.roomId, 'active');
  await moderator.page.getByRole('button', { name: 'Stop recording' }).waitFor();
  const id = active.currentRecording.recordingId;
  // The indicator and the recording's row agree.
  await moderator.page.locator('.rec-indicator', { hasText: 'recording' }).waitFor();
  await moderator.page.locator(`[data-recording-id="${id}"]`).getByText('Recording', { exact: true }).waitFor();
  await capture(moderator.page, 'room-recording');

  await moderator.page.getByRole('button', { name: 'Stop recording' }).click();
  await moderator.page
    .getByRole('dialog', { name: 'Stop the recording?' })
    .getByRole('button', { name: 'Stop recording' })
    .click();
  for (const { page } of [moderator, speaker]) {
    const row = page.locator(`[data-recording-id="${id}"]`);
    await row.getByText('Complete').waitFor({ timeout: 30_000 });
    await page.getByText('● REC').waitFor({ state: 'detached' });
  }
  const stored = (await api(`/api/v1/recordings/${id}`)).body;
  assert.equal(stored.status, 'complete');
  assert.ok(stored.size > 0 && stored.duration > 0, JSON.stringify(stored));

  await speaker.page.locator(`[data-recording-id="${id}"] [data-action="play"]`).click();
  await speaker.page.waitForFunction(() => (document.querySelector('video')?.readyState ?? 0) >= 2);
  await done(moderator);
  await done(speaker);
});

test('with recording disabled nobody sees the control; a bad secret shows the invalid-link page, repeated guesses the wait', async () => {
  const room = await createRoom('Quiet room', { enabled: false, allowAccessTo: 'admin_moderator_speaker' });
  const moderator = await openLink(room.moderatorUrl, 'Quiet room');
  await moderator.page.getByRole('heading', { name: 'No recordings in this room yet' }).waitFor();
  assert.equal(await moderator.page.getByRole('button', { name: /recording$/ }).count(), 0);
  await done(moderator);

  const h = await open();
  await h.page.goto(`${CONSOLE_URL}/room/${room.roomId}?secret=not-the-secret`);
  await h.page.getByRole('heading', { name: 'This room link is not valid' }).waitFor();
  assert.equal(new URL(h.page.url()).searchParams.get('secret'), 'not-the-secret', 'the page says what failed');
  await capture(h.page, 'room-invalid-link');
  // Guessing is throttled per room and source: the page says how long to wait.
  const tooMany = h.page.getByRole('heading', { name: 'Too many attempts' });
  for (let i = 0; i < 6 && !(await tooMany.isVisible()); i++) {
    await h.page.goto(`${CONSOLE_URL}/room/${room.roomId}?secret=guess-${i}`);
    await h.page.locator('.room-notice h1').waitFor();
  }
  await h.page.getByText(/Try again in \d+ minutes?\./).waitFor();
  // Without any link, the room asks for one.
  await h.page.goto(`${CONSOLE_URL}/room/${room.roomId}`);
  await h.page.getByRole('heading', { name: 'Open the room link again' }).waitFor();
  await done(h);
});

test('the media server stopped: Start says it is not available and leaves the room free; once it is back, Start works', async () => {
  const room = await createRoom('Flaky media', { enabled: true, allowAccessTo: 'admin_moderator' });
  const moderator = await openLink(room.moderatorUrl, 'Flaky media');
  const start = moderator.page.getByRole('button', { name: 'Start recording' });
  await stopMediaServer();
  try {
    await start.click();
    await moderator.page.getByText('The media server is not available, try again.').waitFor();
    assert.equal((await roomOf(room.roomId)).currentRecording, null, 'the room is not left locked');
  } finally {
    await startMediaServer();
  }
  await start.click();
  await moderator.page.getByText('● REC').waitFor({ timeout: 10_000 });
  const { currentRecording } = await waitForStatus(room.roomId, 'active');
  const stopped = await api(`/api/v1/recordings/${currentRecording.recordingId}/stop`, { method: 'POST' });
  assert.equal(stopped.status, 202, stopped.text);
  await waitForStatus(room.roomId, null);
  await done(moderator);
});

test('requests and webhooks signed with another secret are refused on both sides', async () => {
  const room = await createRoom('Other secret', { enabled: true, allowAccessTo: 'admin_moderator' });
  await stopMediaServer();
  try {
    // A media server that knows another secret refuses the functions' requests, as LiveKit does.
    await startMediaServer('another-secret-of-another-deployment');
    const refused = await api('/api/v1/recordings', { method: 'POST', body: { roomId: room.roomId } });
    assert.equal(refused.status, 409, refused.text);
    assert.equal((await roomOf(room.roomId)).currentRecording, null);
  } finally {
    await stopMediaServer();
    await startMediaServer();
  }
  // And the functions refuse a webhook signed with another secret, by LiveKit's own SDK.
  const require = createRequire(join(MEDIA_SERVER_DIR, 'package.json'));
  const { AccessToken, WebhookEvent } = await import(pathToFileURL(require.resolve('livekit-server-sdk')));
  const body = new WebhookEvent({
    event: 'egress_started',
    id: 'EV_otherSecret1',
    createdAt: BigInt(Math.floor(Date.now() / 1000)),
  }).toJsonString();
  const token = new AccessToken(env('LIVEKIT_API_KEY'), 'another-secret-of-another-deployment');
  token.sha256 = createHash('sha256').update(body).digest('base64');
  const response = await fetch(`${API_URL}/webhooks/livekit`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/webhook+json', Authorization: await token.toJwt() },
    body,
  });
  assert.equal(response.status, 401);
});
