// The recycle bin and legal holds in a real browser, against the local stack: a room's
// recycle-bin days set on the Rooms page, delete confirmations that say what the room keeps,
// restoring from the Recycle bin page (one by its row, several at once), a permanent delete
// from it, and a legal hold set from the recording view, shown in the list, refusing deletes
// until it is released. Run after console.test.mjs by `scripts/console.sh test`; uses the
// Daily standup room's failed and aborted recordings and its two oldest complete ones (the
// holds are released at the end), and one failed All hands recording.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { allRecordings, api, CONSOLE_URL, capture, done, launch, newPage, rowIds, signIn } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const open = (options) => newPage(browser, options);

const STANDUP = 'daily-standup-x7k2m';

/** Moves recordings to their rooms' bins, as an integration would. */
async function toBin(ids) {
  const answer = await api(`/api/v1/recordings?recordingIds=${ids.join(',')}`, { method: 'DELETE' });
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body.restorableUntil).sort(), [...ids].sort());
}

async function binIds(query = '') {
  return (await allRecordings(`trashed=true${query ? `&${query}` : ''}`)).map((r) => r.recordingId);
}

async function setTrashDays(roomId, trashDays) {
  const answer = await api(`/api/v1/rooms/${roomId}/config`, {
    method: 'PUT',
    body: { config: { recording: { trashDays } } },
  });
  assert.equal(answer.status, 200, answer.text);
}

test("room settings: the recycle bin's days, checked, saved and shown on the room", async () => {
  const created = await api('/api/v1/rooms', { method: 'POST', body: { roomName: 'Bin settings' } });
  assert.equal(created.status, 201, created.text);
  const { roomId } = created.body;
  assert.equal(created.body.config.recording.trashDays, 7, 'new rooms keep 7 days');
  const h = await open();
  const { page } = h;
  await signIn(page, '/rooms');
  const card = page.locator(`[data-room-id="${roomId}"]`);
  assert.equal(await card.locator('[data-field="trash-days"]').textContent(), 'Kept 7 days');

  await card.getByRole('button', { name: 'Recording settings of Bin settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Recording settings: Bin settings' });
  const days = settings.getByLabel('Recycle bin: keep deleted recordings');
  assert.equal(await days.inputValue(), '7');
  await days.fill('120');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.getByText('At most 90 days').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'room-trash-days');
  await days.fill('14');
  await capture(page, 'room-settings');
  await settings.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Settings of Bin settings saved').waitFor();
  assert.equal(await card.locator('[data-field="trash-days"]').textContent(), 'Kept 14 days');
  assert.equal((await api(`/api/v1/rooms/${roomId}`)).body.config.recording.trashDays, 14);

  // 0: deletes are permanent, which the field's hint says before saving.
  await card.getByRole('button', { name: 'Recording settings of Bin settings' }).click();
  await days.fill('0');
  await settings.getByText('Deletes are permanent: they cannot be undone.').waitFor();
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.waitFor({ state: 'detached' });
  await card.locator('[data-field="trash-days"]', { hasText: 'Off: deletes are permanent' }).waitFor();
  assert.equal((await api(`/api/v1/rooms/${roomId}`)).body.config.recording.trashDays, 0);
  await done(h);
});

test('the delete question follows the room: 7 days in the bin, or "This cannot be undone"; administrators may skip the bin', async () => {
  const h = await open();
  const { page } = h;
  const [recording] = await allRecordings(`roomId=${STANDUP}&status=failed`);
  await signIn(page, `/recordings?room=${STANDUP}`);
  const row = page.locator(`tr[data-recording-id="${recording.recordingId}"]`);
  await row.locator('[data-action="delete"]').click();
  const confirm = page.getByRole('dialog', { name: 'Delete this recording?' });
  await confirm.getByText('Moved to the recycle bin for 7 days, where it can be restored.').waitFor();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).waitFor();
  // Skipping the bin: said before it is done.
  await confirm.getByLabel('Skip the recycle bin: delete it permanently now').check();
  await confirm.getByText('This cannot be undone.').waitFor();
  await confirm.getByRole('button', { name: 'Delete permanently' }).waitFor();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });

  // A room that keeps no bin: the question says the delete is final.
  await setTrashDays(STANDUP, 0);
  try {
    await page.reload();
    await row.locator('[data-action="delete"]').click();
    await confirm.getByText('This cannot be undone.').waitFor();
    assert.equal(await confirm.getByRole('checkbox').count(), 0, 'nothing to skip');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
  } finally {
    await setTrashDays(STANDUP, 7);
  }
  assert.equal((await api(`/api/v1/recordings/${recording.recordingId}`)).status, 200, 'nothing was deleted');
  await done(h);
});

test('restore from the recycle bin: who deleted each and when it goes for good; one by its row, two at once', async () => {
  const standup = await allRecordings(`roomId=${STANDUP}&status=failed`);
  const [allHands] = await allRecordings('roomId=all-hands-m3n8c&status=failed');
  const chosen = [...standup.slice(0, 2), allHands];
  assert.equal(chosen.filter(Boolean).length, 3);
  const ids = chosen.map((r) => r.recordingId);
  await toBin(ids);

  const h = await open();
  const { page } = h;
  await signIn(page, '/recordings');
  await page
    .getByRole('navigation', { name: 'Recordings and recycle bin' })
    .getByRole('link', { name: 'Recycle bin' })
    .click();
  await page.waitForURL(`${CONSOLE_URL}/recycle-bin`);
  await page.getByRole('heading', { name: 'Recycle bin', level: 1 }).waitFor();
  assert.equal(await page.title(), 'Recycle bin · Recordings console');
  await page.waitForSelector('tbody [data-recording-id]');
  const shown = await rowIds(page);
  assert.deepEqual(shown, await binIds(), 'the bin, newest first');
  for (const id of ids) assert.ok(shown.includes(id), `${id} is listed`);
  const first = page.locator(`tr[data-recording-id="${ids[0]}"]`);
  await first.getByText('by Administrator').waitFor();
  // Deleted for good 7 days on.
  const stored = (await allRecordings(`trashed=true&roomId=${STANDUP}`)).find((r) => r.recordingId === ids[0]);
  assert.ok(stored.purgeAt - stored.trashedAt >= 7 * 86_400_000 - 1000, JSON.stringify(stored));
  await first.getByText(/in 7 days|in 6 days/).waitFor();
  // A recording in the bin is not opened or played: no link to it.
  assert.equal(await first.getByRole('link').count(), 0);
  await capture(page, 'recycle-bin');

  // The room filter applies to the bin as to the list, and a switch of view keeps it.
  await page.getByLabel('Room', { exact: true }).selectOption(STANDUP);
  await page.waitForURL(`${CONSOLE_URL}/recycle-bin?room=${STANDUP}`);
  await page.waitForFunction((id) => !document.querySelector(`[data-recording-id="${id}"]`), allHands.recordingId);
  await page.getByRole('link', { name: 'Recordings', exact: true }).last().click();
  await page.waitForURL(`${CONSOLE_URL}/recordings?room=${STANDUP}`);
  await page.goBack();
  await page.waitForURL(`${CONSOLE_URL}/recycle-bin?room=${STANDUP}`);
  await page.getByRole('list', { name: 'Active filters' }).getByRole('button', { name: 'Clear all' }).click();
  await page.waitForURL(`${CONSOLE_URL}/recycle-bin`);
  await page.locator(`tr[data-recording-id="${allHands.recordingId}"]`).waitFor();

  // One, by its row.
  await first.locator('[data-action="restore"]').click();
  await page.getByText('Recording restored').waitFor();
  await first.waitFor({ state: 'detached' });
  assert.equal((await api(`/api/v1/recordings/${ids[0]}`)).status, 200);

  // Two at once.
  for (const id of ids.slice(1)) await page.locator(`tr[data-recording-id="${id}"] input[type=checkbox]`).check();
  await page.getByText('2 selected').waitFor();
  await page.getByRole('button', { name: 'Restore (2)' }).click();
  await page.getByText('2 recordings restored').waitFor();
  for (const id of ids.slice(1)) {
    await page.locator(`[data-recording-id="${id}"]`).waitFor({ state: 'detached' });
    assert.equal((await api(`/api/v1/recordings/${id}`)).status, 200);
  }
  const left = await binIds();
  for (const id of ids) assert.ok(!left.includes(id), `${id} left the bin`);
  await done(h);
});

test('a permanent delete from the recycle bin: asked with how many and that it cannot be undone; the videos go', async () => {
  const doomed = (await allRecordings(`roomId=${STANDUP}&status=aborted`)).slice(0, 2);
  assert.equal(doomed.length, 2);
  const ids = doomed.map((r) => r.recordingId);
  await toBin(ids);

  const h = await open();
  const { page } = h;
  await signIn(page, `/recycle-bin?room=${STANDUP}`);
  await page.waitForSelector('tbody [data-recording-id]');
  for (const id of ids) await page.locator(`tr[data-recording-id="${id}"] input[type=checkbox]`).check();
  await page.getByRole('button', { name: 'Delete permanently (2)' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete 2 recordings permanently?' });
  await confirm.getByText('2 recordings, their videos and their share links will be deleted now.').waitFor();
  await confirm.getByText('This cannot be undone.').waitFor();
  await capture(page, 'recycle-bin-purge');
  // Cancel leaves them; then for real.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.deepEqual((await binIds(`roomId=${STANDUP}`)).filter((id) => ids.includes(id)).sort(), [...ids].sort());
  await page.getByRole('button', { name: 'Delete permanently (2)' }).click();
  await confirm.getByRole('button', { name: 'Delete 2 permanently' }).click();
  await page.getByText('2 recordings deleted permanently').waitFor();
  for (const id of ids) await page.locator(`[data-recording-id="${id}"]`).waitFor({ state: 'detached' });
  const left = await binIds();
  for (const id of ids) {
    assert.ok(!left.includes(id), `${id} left the bin`);
    assert.equal((await api(`/api/v1/recordings/${id}`)).status, 404);
    assert.equal((await api(`/api/v1/recordings/${id}/restore`, { method: 'POST' })).status, 404, 'nothing to restore');
  }
  await done(h);
});

test('the recycle bin on a narrow screen: cards, every action, no sideways scroll', async () => {
  const [recording] = await allRecordings(`roomId=${STANDUP}&status=failed`);
  await toBin([recording.recordingId]);
  const h = await open({ width: 360, height: 780 });
  const { page } = h;
  try {
    await signIn(page, '/recycle-bin');
    const card = page.locator(`.cards [data-recording-id="${recording.recordingId}"]`);
    await card.getByRole('button', { name: /^Restore / }).waitFor();
    await card.getByRole('button', { name: /^Delete permanently / }).waitFor();
    await card.getByText('by Administrator').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 360 px (${overflow})`);
    await card.getByRole('button', { name: /^Restore / }).click();
    await page.getByText('Recording restored').waitFor();
  } finally {
    await api(`/api/v1/recordings/${recording.recordingId}/restore`, { method: 'POST' });
  }
  await done(h);
});

test('a legal hold: set from the recording view with its reason, badged in the list, every delete refused until it is released', async () => {
  const complete = await allRecordings(`roomId=${STANDUP}&status=complete`);
  const held = complete.at(-1);
  const other = complete.at(-2);
  const h = await open();
  const { page } = h;
  try {
    await signIn(page, `/recordings/${held.recordingId}`);
    await page.getByRole('heading', { level: 1, name: /Daily standup/ }).waitFor();
    await page.getByRole('button', { name: 'Set legal hold' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set a legal hold' });
    await dialog.getByRole('button', { name: 'Set legal hold' }).click();
    await dialog.getByText('Give the reason for the hold').waitFor();
    await dialog.getByLabel('Reason').fill('Litigation 2026-14: keep until the case is closed');
    await dialog.getByRole('button', { name: 'Set legal hold' }).click();
    await page.getByText('Legal hold set: the recording cannot be deleted').waitFor();
    const panel = page.getByRole('region', { name: /This recording is on legal hold/ });
    await panel.getByText('Litigation 2026-14: keep until the case is closed').waitFor();
    await panel.getByText(/set by administrator/).waitFor();
    const stored = (await api(`/api/v1/recordings/${held.recordingId}`)).body;
    assert.equal(stored.legalHold.reason, 'Litigation 2026-14: keep until the case is closed');
    assert.deepEqual(stored.legalHold.by, { kind: 'admin', role: 'admin' });
    await capture(page, 'recording-legal-hold');

    // Its Delete says why it is refused.
    const remove = page.getByRole('button', { name: 'Delete', exact: true });
    assert.equal(await remove.getAttribute('aria-disabled'), 'true');
    // (Pressed from the keyboard: an aria-disabled button stays focusable and says why.)
    await remove.focus();
    await page.keyboard.press('Enter');
    await page.getByText('This recording is on legal hold: release the hold to delete it').waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0);

    // The list badges it, and so refuses to delete it.
    await page.goto(`${CONSOLE_URL}/recordings?room=${STANDUP}`);
    const row = page.locator(`tr[data-recording-id="${held.recordingId}"]`);
    await row.getByText('Legal hold').waitFor();
    assert.equal(await row.locator('[data-action="delete"]').getAttribute('aria-disabled'), 'true');

    // A hold set elsewhere after the list was read: the API refuses the delete, in its words.
    const hold = await api(`/api/v1/recordings/${other.recordingId}/legal-hold`, {
      method: 'PUT',
      body: { reason: 'Audit' },
    });
    assert.equal(hold.status, 200, hold.text);
    const stale = page.locator(`tr[data-recording-id="${other.recordingId}"]`);
    await stale.locator('[data-action="delete"]').click();
    await page
      .getByRole('dialog', { name: 'Delete this recording?' })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
    await page
      .getByRole('alert')
      .filter({ hasText: `Recording '${other.recordingId}' is on legal hold and cannot be removed.` })
      .waitFor();
    await stale.waitFor();
    // And in a bulk delete, it is listed among those that failed, with that reason.
    for (const id of [held.recordingId, other.recordingId]) {
      await page.locator(`tr[data-recording-id="${id}"] input[type=checkbox]`).check();
    }
    await page.getByRole('button', { name: 'Delete selected' }).click();
    await page
      .getByRole('dialog', { name: 'Delete 2 recordings?' })
      .getByRole('button', { name: 'Delete 2 recordings' })
      .click();
    const results = page.getByRole('dialog', { name: 'Delete results' });
    await results.getByText('0 of 2 deleted.').waitFor();
    await results
      .locator(`[data-recording-id="${other.recordingId}"]`)
      .getByText(/Not deleted: .*is on legal hold and cannot be removed/)
      .waitFor();
    await results.getByRole('button', { name: 'Close', exact: true }).click();
    for (const id of [held.recordingId, other.recordingId]) {
      assert.equal((await api(`/api/v1/recordings/${id}`)).status, 200, `${id} is kept`);
    }

    // Released from the view: deletable again.
    await page.goto(`${CONSOLE_URL}/recordings/${held.recordingId}`);
    await page.getByRole('button', { name: 'Release hold' }).click();
    await page
      .getByRole('dialog', { name: 'Release the legal hold?' })
      .getByRole('button', { name: 'Release hold' })
      .click();
    await page.getByText('Legal hold released').waitFor();
    await page.getByRole('button', { name: 'Set legal hold' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete', exact: true }).getAttribute('aria-disabled'), null);
    assert.equal((await api(`/api/v1/recordings/${held.recordingId}`)).body.legalHold, undefined);
  } finally {
    for (const r of [held, other]) await api(`/api/v1/recordings/${r.recordingId}/legal-hold`, { method: 'DELETE' });
  }
  await done(h);
});
