import type { Browser, BrowserContext, Page } from '@playwright/test';
import { SignJWT } from 'jose';
import { expect, test } from './fixtures';

/**
 * Two browser contexts are two workstations of one clinic, both signed in to the relay that
 * `npm start` runs. Tokens are signed here with the relay's test secret (set in global-setup.ts).
 */
async function token(user: string, access: 'read' | 'write' = 'write'): Promise<string> {
	const secret = new TextEncoder().encode(process.env.RELAY_JWT_SECRET);
	return new SignJWT({ role: 'front-desk', clinic: process.env.CLINIC_ID, docs: ['*'], access })
		.setProtectedHeader({ alg: 'HS256' })
		.setSubject(user)
		.setIssuer('clinicdesk-relay')
		.setAudience('clinicdesk-sync')
		.setIssuedAt()
		.setExpirationTime('1h')
		.sign(secret);
}

async function workstation(
	browser: Browser,
	baseURL: string,
	user: string
): Promise<{ ctx: BrowserContext; page: Page }> {
	const ctx = await browser.newContext({ baseURL });
	const page = await ctx.newPage();
	await page.goto('/');
	await page.getByLabel('Sign-in token').fill(await token(user));
	await page.getByRole('button', { name: 'Join clinic server' }).click();
	return { ctx, page };
}

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
	const a = await workstation(browser, baseURL!, 'user-a');
	await expect(page(a).getByRole('heading', { name: 'Set up this clinic' })).toBeVisible({ timeout: 20_000 });
	await page(a).getByRole('button', { name: 'Load the demo clinic' }).click();
	await expect(page(a).getByTestId('clinic-name')).toContainText('(demo)', { timeout: 30_000 });
	await expect(page(a).getByTestId('sync-status')).toContainText('Synced', { timeout: 30_000 });

	const b = await workstation(browser, baseURL!, 'user-b');
	await expect(page(b).getByTestId('clinic-name')).toContainText('(demo)', { timeout: 30_000 });
	const countA = await page(a).getByTestId('appointment').count();
	await expect(page(b).getByTestId('appointment')).toHaveCount(countA);

	// Presence: each sees the other.
	await expect(page(a).getByTestId('presence')).toContainText('user-b');
	await expect(page(b).getByTestId('presence')).toContainText('user-a');

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
