/**
 * Patient records across two workstations of one clinic server (a server of this test's own, so the
 * clinic starts empty): create, edit different fields on both, see who changed what, attach a
 * document and open it on the other workstation, find the patient by typo'd and swapped names, date
 * of birth and phone, then register a duplicate, merge it, and see the merge on the other side.
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

const GIVEN = 'Ombrellia';
const FAMILY = 'Quistanova';

function nav(p: Page, name: string) {
	return p.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name });
}

async function find(p: Page, query: string) {
	await nav(p, 'Patients').click();
	await p.getByLabel('Find a patient').fill(query);
}

async function newPatient(p: Page, given: string, family: string, phone: string) {
	await nav(p, 'Patients').click();
	await p.getByRole('button', { name: 'New patient' }).click();
	await p.getByLabel('First name').fill(given);
	await p.getByLabel('Last name').fill(family);
	await p.getByLabel('Date of birth').fill('1968-02-11');
	await p.getByLabel('Mobile phone').fill(phone);
}

// A minimal one-page PDF (synthetic content).
const PDF = Buffer.from(
	'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
		'3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
);

test('patients: create, edit on two workstations, attach, search, merge duplicates', async ({ browser }) => {
	test.setTimeout(240_000);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-patients-'));
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

		// Create on A; it appears on B.
		await newPatient(a.page, GIVEN, FAMILY, '(312) 555-0144');
		await a.page.getByRole('button', { name: 'Save patient' }).click();
		await find(b.page, FAMILY);
		await b.page.getByRole('link', { name: `${FAMILY}, ${GIVEN}` }).click();

		// Different fields edited on each workstation; both kept, and each shows who changed it.
		await find(a.page, FAMILY);
		await a.page.getByRole('link', { name: `${FAMILY}, ${GIVEN}` }).click();
		await a.page.getByRole('button', { name: 'Edit contact details' }).click();
		await a.page.getByLabel('Preferred language').fill('Portuguese');
		await a.page.getByRole('button', { name: 'Save changes' }).click();
		await expect(b.page.getByTestId('patient-language')).toHaveText('Portuguese');
		await expect(b.page.getByText(/Preferred language changed by Avery Admin/)).toBeVisible();

		// A document attached on B is listed and opens on A (its bytes travel on demand).
		await b.page.getByRole('button', { name: 'Attach a document' }).click();
		await b.page
			.getByLabel('File')
			.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: PDF });
		await b.page.getByLabel('Kind').selectOption({ label: 'Referral' });
		await b.page.getByLabel('Title').fill('Cardiology referral');
		await b.page.getByRole('button', { name: 'Attach', exact: true }).click();
		await expect(b.page.getByRole('cell', { name: 'Cardiology referral', exact: true })).toBeVisible({
			timeout: 20_000
		});
		await expect(a.page.getByRole('cell', { name: 'Cardiology referral', exact: true })).toBeVisible({
			timeout: 30_000
		});
		await a.page.getByRole('button', { name: /^View Cardiology referral/ }).click();
		await expect(a.page.getByRole('dialog')).toBeVisible({ timeout: 30_000 });
		await a.page.keyboard.press('Escape');
		await expect(a.page.getByRole('dialog')).toBeHidden();

		// Search: swapped names with a typo, date of birth in US format, phone digits.
		for (const query of [`${GIVEN} Quistanvoa`, '2/11/1968', '555-0144']) {
			await find(b.page, query);
			await expect(b.page.getByRole('link', { name: `${FAMILY}, ${GIVEN}` })).toBeVisible();
		}

		// A duplicate registered on B is flagged on entry, saved anyway, and merged on A.
		await newPatient(b.page, 'Ombrelia', FAMILY, '(312) 555-0199');
		await b.page.getByRole('button', { name: 'Save patient' }).click();
		await expect(b.page.getByRole('heading', { name: 'This may be an existing patient' })).toBeVisible();
		await b.page.getByRole('button', { name: 'Save anyway' }).click();
		await expect(b.page.getByRole('link', { name: `${FAMILY}, Ombrelia` })).toBeVisible();

		await nav(a.page, 'Patients').click();
		await a.page.getByRole('link', { name: 'Possible duplicates' }).click();
		const pair = a.page
			.getByRole('listitem')
			.filter({ hasText: `${FAMILY}, Ombrelia ` })
			.filter({ hasText: `${FAMILY}, ${GIVEN} ` });
		await expect(pair).toBeVisible({ timeout: 30_000 });
		await pair.getByRole('link', { name: 'Merge…' }).click();
		await expect(a.page.getByRole('heading', { name: 'Merge patient records' })).toBeVisible();
		await a.page.getByRole('button', { name: 'Merge records' }).click();
		await expect(a.page.getByRole('heading', { name: 'Records merged' })).toBeVisible();
		await a.page.getByRole('button', { name: 'Confirm merge' }).click();
		await expect(a.page.getByText('The merge is final.')).toBeVisible();

		// B sees one record left.
		await find(b.page, FAMILY);
		await expect(b.page.getByRole('link', { name: new RegExp(`^${FAMILY}, `) })).toHaveCount(1, {
			timeout: 30_000
		});
	} finally {
		for (const w of open) await w.ctx.close();
		await stop(server.child);
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});
