// Closing and deleting rooms, and their retention, from the Rooms page in a real browser,
// against the local stack: a room with recordings closed (its recordings kept, its links no
// longer admitting anyone), an empty room deleted, a forced deletion asking to confirm, and a
// retention set, checked and shown. Works on rooms it creates, and closes the All hands demo
// room (no later test opens it as a participant).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, capture, done, launch, newPage, signIn } from './helpers.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function createRoom(roomName) {
  const created = await api('/api/v1/rooms', { method: 'POST', body: { roomName } });
  assert.equal(created.status, 201, created.text);
  return created.body;
}

test('a room is closed with its recordings kept, and an empty room deleted, each choice explained', async () => {
  const kept = await createRoom('Closing time');
  const empty = await createRoom('Empty room');
  const h = await newPage(browser);
  const { page } = h;
  await signIn(page, '/rooms');

  // Closing: the default choice keeps the recordings.
  const card = page.locator(`[data-room-id="${kept.roomId}"]`);
  await card.getByRole('button', { name: 'Delete or close Closing time' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete room: Closing time' });
  await dialog.getByText('Its links stop working and it records no more.').waitFor();
  assert.equal(await dialog.getByLabel('Keep them, and close the room').isChecked(), true);
  await capture(page, 'room-delete');
  await dialog.getByRole('button', { name: 'Close room' }).click();
  // A room without recordings has nothing to keep: it is deleted.
  await page.getByText('Room Closing time deleted').waitFor();
  await card.waitFor({ state: 'detached' });
  assert.equal((await api(`/api/v1/rooms/${kept.roomId}`)).status, 404);

  // A forced deletion asks to confirm that recordings go for good.
  const emptyCard = page.locator(`[data-room-id="${empty.roomId}"]`);
  await emptyCard.getByRole('button', { name: 'Delete or close Empty room' }).click();
  const force = page.getByRole('dialog', { name: 'Delete room: Empty room' });
  await force.getByLabel('Delete them with the room').check();
  await force.getByRole('button', { name: 'Delete room' }).click();
  await force.getByText('Confirm that the recordings will be deleted for good').waitFor();
  await force.getByLabel("I understand that the room's recordings will be deleted for good").check();
  await force.getByRole('button', { name: 'Delete room' }).click();
  await page.getByText('Room Empty room deleted').waitFor();
  await emptyCard.waitFor({ state: 'detached' });
  await done(h);
});

test('a demo room with recordings refuses a plain deletion, then is closed: the card says so and its recordings stay', async () => {
  const h = await newPage(browser);
  const { page } = h;
  await signIn(page, '/rooms');
  const demo = page.locator('[data-room-id="all-hands-m3n8c"]');
  await demo.getByRole('button', { name: 'Delete or close All hands' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete room: All hands' });
  await dialog.getByLabel('Delete the room only if it has none').check();
  await dialog.getByRole('button', { name: 'Delete room' }).click();
  await dialog.getByText(/cannot be deleted because it has recordings/).waitFor();
  await dialog.getByLabel('Keep them, and close the room').check();
  await dialog.getByRole('button', { name: 'Close room' }).click();
  await page.getByText('Room All hands closed; its recordings are kept').waitFor();
  await demo.locator('[data-status="closed"]', { hasText: 'Closed' }).waitFor();
  await capture(page, 'rooms-closed');
  const listed = await api('/api/v1/recordings?roomId=all-hands-m3n8c');
  assert.ok(listed.body.recordings.length > 0, 'its recordings stay, for administrators');
  await done(h);
});

test("a room's retention is checked, saved and shown", async () => {
  const room = await createRoom('Retained');
  const h = await newPage(browser);
  const { page } = h;
  await signIn(page, '/rooms');
  const card = page.locator(`[data-room-id="${room.roomId}"]`);
  assert.equal(await card.locator('[data-field="retention"]').textContent(), 'Kept forever');
  await card.getByRole('button', { name: 'Recording settings of Retained' }).click();
  const settings = page.getByRole('dialog', { name: 'Recording settings: Retained' });
  const days = settings.getByLabel('Retention: remove recordings after');
  await days.fill('5000');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.getByText('At most 3650 days (ten years)').waitFor();
  await days.fill('90');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.waitFor({ state: 'detached' });
  await card.locator('[data-field="retention"]', { hasText: 'Removed 90 days after they end' }).waitFor();
  assert.equal((await api(`/api/v1/rooms/${room.roomId}`)).body.config.recording.retentionDays, 90);

  // Emptied: kept forever again.
  await card.getByRole('button', { name: 'Recording settings of Retained' }).click();
  await days.fill('');
  await settings.getByRole('button', { name: 'Save' }).click();
  await settings.waitFor({ state: 'detached' });
  await card.locator('[data-field="retention"]', { hasText: 'Kept forever' }).waitFor();
  assert.equal((await api(`/api/v1/rooms/${room.roomId}`)).body.config.recording.retentionDays, undefined);
  await done(h);
});
