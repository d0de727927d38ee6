import { dumpBrowserStorage, findPlaintext } from '../support/scan';
import { expect, openDemo, test, unlock } from './fixtures';

// Synthetic canaries: distinctive enough never to occur by chance in code or ciphertext.
const GIVEN = 'Quillonary';
const FAMILY = 'Zarathwick';
const PHONE = '(312) 555-0187';

test('a patient entered in the app appears nowhere in plain text at rest, whoever worked here', async ({
	page
}) => {
	test.setTimeout(120_000);
	await openDemo(page);
	await page.getByRole('link', { name: 'Patients' }).click();
	await page.getByRole('button', { name: 'New patient' }).click();
	await page.getByLabel('First name').fill(GIVEN);
	await page.getByLabel('Last name').fill(FAMILY);
	await page.getByLabel('Date of birth').fill('1975-04-09');
	await page.getByLabel('Mobile phone').fill(PHONE);
	await page.getByRole('button', { name: 'Save patient' }).click();
	await expect(page.getByRole('link', { name: `${FAMILY}, ${GIVEN}` })).toBeVisible();

	// Reload so that everything pending has been written and read back from storage; then a working
	// session for every role that reads patients, each opening the record (audited) before logging out.
	await page.reload();
	for (const user of ['front', 'billing', 'secretary', 'physician', 'admin']) {
		await unlock(page, user);
		await page.getByRole('link', { name: 'Patients', exact: true }).click();
		await page.getByLabel('Find a patient').fill(FAMILY);
		await page.getByRole('link', { name: `${FAMILY}, ${GIVEN}` }).click();
		await expect(page.getByTestId('patient-language')).toBeVisible();
		await page.getByRole('button', { name: 'Log out' }).click();
	}
	await unlock(page, 'manager');
	await page.getByRole('button', { name: 'Log out' }).click();

	const dump = await page.evaluate(dumpBrowserStorage);
	expect(dump.some((d) => d.where.startsWith('idb:clinicdesk-'))).toBe(true);
	expect(dump.some((d) => d.where.startsWith('cache:'))).toBe(true);
	for (const needle of [GIVEN, FAMILY, '555-0187']) {
		expect(findPlaintext(dump, needle), needle).toEqual([]);
	}
});

test('the scanner finds a name that an unencrypted store would leave behind', async ({ page }) => {
	await page.goto('/');
	// What y-indexeddb or a careless cache would write: a plain Yjs update, a JSON value, a cached body.
	await page.evaluate(async (name) => {
		const db = await new Promise<IDBDatabase>((res, rej) => {
			const r = indexedDB.open('scanner-selftest', 1);
			r.onupgradeneeded = () => r.result.createObjectStore('updates', { autoIncrement: true });
			r.onsuccess = () => res(r.result);
			r.onerror = () => rej(r.error);
		});
		const tx = db.transaction('updates', 'readwrite');
		tx.objectStore('updates').add(new TextEncoder().encode(`\u0001\u0002patients${name}`));
		await new Promise((r) => (tx.oncomplete = r));
		db.close();
		sessionStorage.setItem('draft', JSON.stringify({ familyName: name.toUpperCase() }));
		const cache = await caches.open('scanner-selftest');
		await cache.put('/selftest', new Response(name));
	}, FAMILY);
	const hits = await page.evaluate(dumpBrowserStorage).then((d) => findPlaintext(d, FAMILY));
	expect([...new Set(hits.map((h) => h.where))].sort()).toEqual(
		['cache:scanner-selftest:/selftest', 'idb:scanner-selftest/updates', 'sessionStorage'].sort()
	);
});
