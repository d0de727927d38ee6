import type { Page } from '@playwright/test';
import { expect, firstWorkstation, loginWorkstation, setupToken, test } from './fixtures';

/**
 * Two browser contexts are two workstations of one clinic server. The first joins with a setup token
 * and loads the demo clinic with its accounts; the second logs in as the demo front desk.
 */
async function addPatient(page: Page, given: string, family: string) {
	await nav(page, 'Patients').click();
	await page.getByRole('button', { name: 'New patient' }).click();
	await page.getByLabel('First name').fill(given);
	await page.getByLabel('Last name').fill(family);
	await page.getByLabel('Date of birth').fill('1968-02-11');
	await page.getByRole('button', { name: 'Save patient' }).click();
	await expect(page.getByRole('link', { name: `${family}, ${given}` })).toBeVisible();
}

async function findPatient(page: Page, family: string) {
	await nav(page, 'Patients').click();
	await page.getByLabel('Find a patient').fill(family);
}

test('two workstations share one clinic live, and merge offline edits without losing any', async ({
	browser,
	baseURL
}) => {
	test.setTimeout(120_000);
	const a = await firstWorkstation(browser, baseURL!, await setupToken());
	await expect(page(a).getByRole('heading', { name: 'Set up this clinic' })).toBeVisible({ timeout: 20_000 });
	await page(a).getByRole('button', { name: 'Load the demo clinic' }).click();
	await expect(page(a).getByTestId('clinic-name')).toContainText('(demo)', { timeout: 30_000 });
	await expect(page(a).getByTestId('sync-status')).toContainText('Synced', { timeout: 30_000 });

	const b = await loginWorkstation(browser, baseURL!, 'front');
	await expect(page(b).getByTestId('current-user')).toContainText('Frankie Front', { timeout: 30_000 });
	await expect(page(b).getByTestId('clinic-name')).toContainText('(demo)', { timeout: 30_000 });
	const countA = await page(a).getByTestId('appointment').count();
	await expect(page(b).getByTestId('appointment')).toHaveCount(countA);

	// Presence: each sees the other.
	await expect(page(a).getByTestId('presence')).toContainText('Frankie Front');
	await expect(page(b).getByTestId('presence')).toContainText('Avery Admin');

	// Live: a patient added on A appears on B without a reload.
	await addPatient(page(a), 'Ombrel', 'Quistane');
	await findPatient(page(b), 'Quistane');
	await expect(page(b).getByRole('link', { name: 'Quistane, Ombrel' })).toBeVisible();

	// Offline: B loses the network; both edit different fields of the same patient and add one each.
	await b.ctx.setOffline(true);
	await expect(page(b).getByTestId('sync-status')).toContainText('Offline');
	await page(a).getByRole('link', { name: 'Quistane, Ombrel' }).click();
	await page(b).getByRole('link', { name: 'Quistane, Ombrel' }).click();
	await editPatient(page(a), { 'Mobile phone': '(312) 555-0123' });
	await editPatient(page(b), { 'Preferred language': 'Portuguese' });
	await addPatient(page(a), 'Tessary', 'Vondrake');
	await addPatient(page(b), 'Illomen', 'Parquist');
	await expect(page(b).getByTestId('sync-status')).toContainText(/unsynced|not yet synced/i);

	await b.ctx.setOffline(false);
	for (const p of [page(a), page(b)]) {
		await expect(p.getByTestId('sync-status')).toContainText('Synced', { timeout: 30_000 });
		await findPatient(p, 'Quistane');
		await p.getByRole('link', { name: 'Quistane, Ombrel' }).click();
		await expect(p.getByTestId('patient-phones')).toContainText('(312) 555-0123');
		await expect(p.getByTestId('patient-language')).toHaveText('Portuguese');
		await findPatient(p, 'Vondrake');
		await expect(p.getByRole('link', { name: 'Vondrake, Tessary' })).toBeVisible();
		await findPatient(p, 'Parquist');
		await expect(p.getByRole('link', { name: 'Parquist, Illomen' })).toBeVisible();
	}

	// A new colleague is added on A while B is locked; B's keyring is behind, so B's lock screen asks
	// the server, catches up, and the colleague picks their own passphrase (checked by the relay).
	await page(b).getByRole('button', { name: 'Log out' }).click();
	await expect(page(b).getByTestId('lock-screen')).toBeVisible();
	await nav(page(a), 'Admin').click();
	await page(a).getByRole('link', { name: 'Users and roles' }).click();
	const add = page(a).getByRole('form', { name: 'Add a staff member' });
	await add.getByLabel('Name', { exact: true }).fill('Nova Newbie');
	await add.getByLabel('Login name').fill('newbie');
	await add.getByLabel('Temporary passphrase').fill('temporary pass one');
	await add.getByRole('button', { name: 'Add staff member' }).click();
	await expect(page(a).getByRole('status').filter({ hasText: 'Nova Newbie can now log in' })).toBeVisible({
		timeout: 20_000
	});
	await expect(page(a).getByTestId('sync-status')).toContainText('Synced', { timeout: 30_000 });
	const lock = page(b).getByTestId('lock-screen');
	await lock.getByLabel('Login name').fill('newbie');
	await lock.getByLabel('Passphrase').fill('temporary pass one');
	await lock.getByRole('button', { name: 'Unlock' }).click();
	await expect(page(b).getByRole('heading', { name: 'Choose your own passphrase' })).toBeVisible({
		timeout: 30_000
	});
	await page(b).getByLabel('Current passphrase').fill('temporary pass one');
	await page(b)
		.getByLabel(/^New passphrase(?! again)/)
		.fill('nova has her own words');
	await page(b).getByLabel('New passphrase again').fill('nova has her own words');
	await page(b).getByRole('button', { name: 'Change passphrase' }).click();
	await expect(page(b).getByTestId('current-user')).toContainText('Nova Newbie', { timeout: 20_000 });
	// The relay stored the new passphrase: the old one no longer opens the account on A.
	await page(a).getByRole('button', { name: 'Log out' }).click();
	await expect(page(a).getByTestId('lock-screen')).toBeVisible();
	const lockA = page(a).getByTestId('lock-screen');
	await lockA.getByLabel('Login name').fill('newbie');
	await lockA.getByLabel('Passphrase').fill('nova has her own words');
	await lockA.getByRole('button', { name: 'Unlock' }).click();
	await expect(page(a).getByTestId('current-user')).toContainText('Nova Newbie', { timeout: 30_000 });
	await a.ctx.close();
	await b.ctx.close();
});

function nav(p: Page, name: string) {
	return p.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name });
}

function page(w: { page: Page }): Page {
	return w.page;
}

async function editPatient(p: Page, fields: Record<string, string>) {
	await p.getByRole('button', { name: 'Edit contact details' }).click();
	for (const [label, value] of Object.entries(fields)) await p.getByLabel(label).fill(value);
	await p.getByRole('button', { name: 'Save changes' }).click();
	await expect(p.getByRole('button', { name: 'Edit contact details' })).toBeVisible();
}
