/**
 * Users, roles, locking and the audit log on one shared workstation (the demo clinic, which has one
 * account per role, all with DEMO_PASSPHRASE).
 */
import type { Page } from '@playwright/test';
import { expect, openDemo, test, unlock } from './fixtures';

function nav(page: Page) {
	return page.getByRole('navigation', { name: 'Modules' });
}

async function logOut(page: Page) {
	await page.getByRole('button', { name: 'Log out' }).click();
	await expect(page.getByTestId('lock-screen')).toBeVisible();
}

test('two users in turn each see only what their role allows, and the audit screen shows both sessions', async ({
	page
}) => {
	test.setTimeout(120_000);
	await openDemo(page);
	await expect(page.getByTestId('current-user')).toContainText('Avery Admin');
	await logOut(page);

	// Front desk: schedule and patients, no billing, clinical documents or admin.
	await unlock(page, 'front');
	await expect(nav(page).getByRole('link')).toHaveText(['Schedule', 'Patients', 'Messages']);
	await nav(page).getByRole('link', { name: 'Patients' }).click();
	await page
		.getByRole('link')
		.filter({ hasText: /^[A-Z][a-z]+, / })
		.first()
		.click();
	await expect(page.getByRole('button', { name: 'Edit contact details' })).toBeVisible();
	const patientUrl = page.url();
	const patientId = patientUrl.split('/').pop()!;
	await logOut(page);

	// Billing: reads patients without changing them, has Billing, no Admin.
	await unlock(page, 'billing');
	await expect(nav(page).getByRole('link')).toHaveText(['Schedule', 'Patients', 'Billing']);
	await nav(page).getByRole('link', { name: 'Patients' }).click();
	await expect(page.getByRole('button', { name: 'New patient' })).toHaveCount(0);
	await page
		.getByRole('link')
		.filter({ hasText: /^[A-Z][a-z]+, / })
		.first()
		.click();
	await expect(page.getByTestId('patient-language')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Edit contact details' })).toHaveCount(0);
	await logOut(page);

	// A wrong passphrase is refused (and audited).
	const lock = page.getByTestId('lock-screen');
	await lock.getByLabel('Login name').fill('front');
	await lock.getByLabel('Passphrase').fill('not the passphrase at all');
	await lock.getByRole('button', { name: 'Unlock' }).click();
	await expect(lock.getByRole('alert')).toContainText('do not match');

	// Break-glass: the sealed emergency account shows a banner for the whole session.
	await lock.getByText('Emergency access (break-glass)').click();
	await lock.getByRole('button', { name: 'Emergency Access' }).click();
	await lock.getByLabel('Passphrase').fill('demo clinic passphrase');
	await lock.getByRole('button', { name: 'Unlock emergency access' }).click();
	await expect(page.getByTestId('break-glass-banner')).toBeVisible();
	await page.getByRole('button', { name: 'End emergency access' }).click();

	// The administrator's audit screen: both sessions, the record views, the failure, the emergency.
	await unlock(page, 'admin');
	await nav(page).getByRole('link', { name: 'Admin' }).click();
	await page.getByRole('link', { name: 'Audit log' }).click();
	const table = page.getByRole('table', { name: /matching the filters/ });
	await expect(table).toBeVisible();
	await page.getByLabel('User').selectOption({ label: 'Frankie Front' });
	await expect(table).toContainText('Logged in');
	await expect(table).toContainText('Viewed');
	await expect(table).toContainText(patientId);
	await expect(table).toContainText('Failed login');
	await expect(table).toContainText('Logged out');
	await page.getByLabel('User').selectOption({ label: 'Billie Biller' });
	await expect(table).toContainText('Viewed');
	await expect(page.getByRole('region', { name: 'Emergency access' })).toContainText('Emergency Access');
	// Every chain verifies.
	await expect(page.getByRole('region', { name: 'Chain check' })).toContainText(/All \d+ chains are intact/);
	// The export holds ids and codes, never a patient's name.
	const download = page.waitForEvent('download');
	await page.getByRole('button', { name: 'Export CSV' }).click();
	const file = await download;
	expect(file.suggestedFilename()).toMatch(/^audit-\d{4}-\d{2}-\d{2}\.csv$/);
});

test('automatic logoff locks every tab and clears the screen; a lock in one tab locks the others', async ({
	context
}) => {
	test.setTimeout(120_000);
	await context.clock.install();
	const a = await context.newPage();
	await openDemo(a);
	// A patient's name on screen (not an appointment: the demo clinic is closed at weekends).
	await nav(a).getByRole('link', { name: 'Patients' }).click();
	const firstPatient = (await a
		.getByRole('link')
		.filter({ hasText: /^[A-Z][a-z]+, / })
		.first()
		.textContent())!.trim();
	expect(firstPatient.length).toBeGreaterThan(3);

	const b = await context.newPage();
	await b.goto('/');
	await unlock(b, 'front');

	// Ten idle minutes (the default) and both tabs are locked, with nothing of the schedule left.
	await context.clock.fastForward('09:00');
	await expect(a.getByTestId('current-user')).toBeVisible();
	await context.clock.fastForward('01:30');
	for (const p of [a, b]) {
		await expect(p.getByTestId('lock-screen')).toBeVisible();
		// Whichever tab's timer fires first locks the other through the channel.
		await expect(p.getByTestId('lock-screen')).toContainText(/without activity|another window/);
		await expect(p.locator('body')).not.toContainText(firstPatient);
	}

	// Unlocked again, a lock in one tab reaches the other at once.
	await unlock(a);
	await unlock(b, 'front');
	await a.getByRole('button', { name: 'Lock', exact: true }).click();
	await expect(b.getByTestId('lock-screen')).toBeVisible();
	await expect(b.getByTestId('lock-screen')).toContainText('another window');
});
