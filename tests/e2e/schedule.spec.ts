/**
 * Scheduling on two workstations of one clinic server (a server of this test's own): a booking made
 * on A appears live on B; presence shows who is on which day and who has which appointment open; B
 * goes offline and both book the same free slot → after reconnecting both bookings are there, the
 * double-booking is flagged on both, A keeps both and B sees that decision; then A reschedules by
 * dragging and by keyboard, and prints the day sheet to PDF.
 */
import type { Page } from '@playwright/test';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	expect,
	firstWorkstation,
	loginWorkstation,
	serve,
	setupToken,
	stop,
	test,
	type Workstation
} from './fixtures';

/** Books a new (quick-added) patient into the first free slot of the first provider; returns the provider id. */
async function bookNextFree(p: Page, family: string, given: string): Promise<string> {
	await p.getByTestId('new-appointment').click();
	const dlg = p.getByTestId('booking-dialog');
	await expect(dlg).toBeVisible();
	await dlg.getByTestId('patient-search').fill(family);
	await dlg.getByRole('option', { name: /^\+ New patient/ }).click();
	await dlg.getByLabel('Family name').fill(family);
	await dlg.getByLabel('Given name').fill(given);
	await dlg.getByLabel('Date of birth').fill('1979-03-04');
	await dlg.getByRole('button', { name: 'Save patient' }).click();
	await expect(dlg.getByTestId('patient-search')).toHaveValue(new RegExp(family));
	const provider = dlg.locator('select[name="provider"]');
	await provider.selectOption({ index: 1 });
	await dlg.locator('select[name="type"]').selectOption({ index: 1 });
	await dlg.getByRole('button', { name: 'Search' }).click();
	await dlg.getByTestId('next-slot-result').first().click();
	const providerId = await provider.inputValue();
	await dlg.getByTestId('book-submit').click();
	await expect(dlg).toBeHidden();
	return providerId;
}

const block = (p: Page, family: string) => p.getByTestId('appointment').filter({ hasText: family });

test('scheduling: live bookings, presence, offline double-booking resolved, drag and keyboard moves, day sheet', async ({
	browser
}) => {
	test.setTimeout(300_000);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-schedule-'));
	const secret = randomBytes(32).toString('base64url');
	const clinic = randomUUID();
	const server = await serve(path.resolve('build/app'), path.join(tmp, 'data'), 0, {
		RELAY_JWT_SECRET: secret,
		CLINIC_ID: clinic
	});
	const open: Workstation[] = [];
	try {
		const a = await firstWorkstation(browser, server.url, await setupToken(secret, clinic));
		open.push(a);
		await a.page.getByRole('button', { name: 'Load the demo clinic' }).click();
		await expect(a.page.getByTestId('sync-status')).toContainText('Synced', { timeout: 60_000 });
		const b = await loginWorkstation(browser, server.url, 'front');
		open.push(b);
		await expect(b.page.getByTestId('current-user')).toContainText('Frankie Front', { timeout: 30_000 });

		// A books; the schedule jumps to that day; B opens the same day and sees it live.
		const providerId = await bookNextFree(a.page, 'Quorvanne', 'Ilse');
		await expect(block(a.page, 'Quorvanne')).toBeVisible();
		const day = await a.page.locator('#jump').inputValue();
		await b.page.locator('#jump').fill(day);
		await expect(block(b.page, 'Quorvanne')).toBeVisible({ timeout: 20_000 });

		// Presence: B sees A on this day, then A's open appointment marked on B's calendar.
		await expect(b.page.getByTestId('schedule-presence')).toContainText('Avery Admin');
		await expect(b.page.getByTestId('schedule-presence')).toContainText('on this day');
		await block(a.page, 'Quorvanne').getByRole('button').first().click();
		await expect(a.page.getByTestId('booking-dialog')).toBeVisible();
		await expect(block(b.page, 'Quorvanne').getByTestId('appointment-presence')).toBeVisible({
			timeout: 20_000
		});
		await a.page.keyboard.press('Escape');
		await expect(a.page.getByTestId('booking-dialog')).toBeHidden();

		// Offline double-booking: B loses the network; both book the next free slot.
		await b.ctx.setOffline(true);
		await expect(b.page.getByTestId('sync-status')).toContainText('Offline');
		await bookNextFree(a.page, 'Brenholt', 'Aster');
		await bookNextFree(b.page, 'Castellwyn', 'Dorit');
		await expect(block(b.page, 'Castellwyn')).toBeVisible();
		await b.ctx.setOffline(false);
		for (const w of [a, b]) {
			const day2 = await w.page.locator('#jump').inputValue();
			expect(day2).toBeTruthy();
			await expect(block(w.page, 'Brenholt')).toBeVisible({ timeout: 30_000 });
			await expect(block(w.page, 'Castellwyn')).toBeVisible({ timeout: 30_000 });
			await expect(block(w.page, 'Brenholt').getByTestId('conflict-marker')).toBeVisible();
			await expect(block(w.page, 'Castellwyn').getByTestId('conflict-marker')).toBeVisible();
		}

		// A keeps both (an intentional double-booking); B sees the decision.
		await a.page.getByTestId('view-conflicts').click();
		const item = a.page
			.getByTestId('conflict-item')
			.filter({ hasText: 'Brenholt' })
			.filter({ hasText: 'Castellwyn' });
		await item.getByTestId('keep-both').click();
		await expect(a.page.getByTestId('resolved-conflict').filter({ hasText: 'Brenholt' })).toBeVisible();
		await b.page.getByTestId('view-conflicts').click();
		await expect(b.page.getByTestId('resolved-conflict').filter({ hasText: 'Castellwyn' })).toContainText(
			'Avery Admin',
			{ timeout: 20_000 }
		);

		// Drag to reschedule on A: Quorvanne to 5:30 PM in the same provider's column.
		await a.page.getByTestId('view-day').click();
		await a.page.locator('#jump').fill(day);
		const q = block(a.page, 'Quorvanne');
		await expect(q).toBeVisible();
		// Free slots are rows drawn in the column's group, not elements: 5:30 PM is found by its offset.
		const rows = a.page.locator(`[role="group"][data-column="${providerId}"]`);
		// The whole day on screen, so the drag starts and ends in view.
		await a.page.setViewportSize({ width: 1280, height: 1600 });
		await a.page.evaluate(() => window.scrollTo(0, 0));
		const from = (await q.getByRole('button').first().boundingBox())!;
		const box = (await rows.boundingBox())!;
		const offset =
			(17 * 60 + 30 - Number(await rows.getAttribute('data-start-min'))) *
			Number(await rows.getAttribute('data-px-per-min'));
		const to = { x: box.x, y: box.y + offset, width: box.width };
		await a.page.mouse.move(from.x + from.width / 2, from.y + 4);
		await a.page.mouse.down();
		await a.page.mouse.move(from.x + from.width / 2, from.y + 30, { steps: 4 });
		await a.page.mouse.move(to.x + to.width / 2, to.y + 4, { steps: 8 });
		await a.page.mouse.up();
		await expect(q).toContainText('5:30');
		await expect(block(b.page, 'Quorvanne')).toHaveCount(0); // B is on the conflicts list
		await b.page.getByTestId('view-day').click();
		await expect(block(b.page, 'Quorvanne')).toContainText('5:30', { timeout: 20_000 });

		// The keyboard path: M, two slots down, Enter.
		await q.getByRole('button').first().focus();
		await a.page.keyboard.press('m');
		await a.page.keyboard.press('ArrowDown');
		await a.page.keyboard.press('ArrowDown');
		await a.page.keyboard.press('Enter');
		await expect(q).toContainText('6:00');
		await expect(block(b.page, 'Quorvanne')).toContainText('6:00', { timeout: 20_000 });

		// The pointer path to a new length: the block's bottom edge (drawn by the block, a press there
		// reaches the block itself) dragged 30 minutes down.
		const lengthOf = async () => {
			const label = (await q.getByRole('button').first().getAttribute('aria-label')) ?? '';
			const h = /(\d+) hours?/.exec(label)?.[1] ?? '0';
			const m = /(\d+) minutes?/.exec(label)?.[1] ?? '0';
			return Number(h) * 60 + Number(m);
		};
		const lengthBefore = await lengthOf();
		expect(lengthBefore).toBeGreaterThan(0);
		const edge = (await q.boundingBox())!;
		const perMin = Number(await rows.getAttribute('data-px-per-min'));
		await a.page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height - 2);
		await a.page.mouse.down();
		await a.page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height - 2 + 30 * perMin, { steps: 6 });
		await a.page.mouse.up();
		await expect.poll(lengthOf).toBe(lengthBefore + 30);
		await expect(q).toContainText('6:00');

		// The day sheet prints (PDF via Chromium) with the day's patients.
		await a.page.getByRole('button', { name: 'Print day sheet' }).click();
		await expect(a.page.getByTestId('day-sheet')).toContainText('Quorvanne');
		const pdf = await a.page.pdf({ format: 'Letter' });
		expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		expect(pdf.length).toBeGreaterThan(5_000);
	} finally {
		for (const w of open) await w.ctx.close();
		await stop(server.child);
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});
