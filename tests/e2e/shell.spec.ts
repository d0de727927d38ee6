import { expect, openDemo, test } from './fixtures';

test('modules are reachable by keyboard and say honestly when they are not built', async ({ page }) => {
	await openDemo(page);
	await page.keyboard.press('Alt+2');
	await expect(page).toHaveURL(/\/patients$/);
	await page.keyboard.press('Alt+4');
	await expect(page.getByRole('heading', { name: 'Billing' })).toBeVisible();
	await expect(page.getByText('Not built yet.')).toBeVisible();
	for (const name of ['Schedule', 'Patients', 'Messages', 'Billing', 'Inventory', 'Documents', 'Admin']) {
		await expect(page.getByRole('navigation', { name: 'Modules' }).getByRole('link', { name })).toBeVisible();
	}
	await expect(page.getByRole('link', { name: 'Billing' })).toHaveAttribute('aria-current', 'page');
});

test('tab order starts with a skip link and focus is always visible', async ({ page }) => {
	await openDemo(page);
	await page.keyboard.press('Tab');
	const skip = page.getByRole('link', { name: 'Skip to content' });
	await expect(skip).toBeFocused();
	const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
	expect(outline).toBe('solid');
	await page.keyboard.press('Tab');
	const focused = page.locator(':focus');
	expect(await focused.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
});

test('the schedule moves between days and shows each provider', async ({ page }) => {
	await openDemo(page);
	const date = page.getByTestId('schedule-date');
	const first = await date.textContent();
	await page.getByRole('button', { name: 'Next day' }).click();
	await expect(date).not.toHaveText(first ?? '');
	await page.getByRole('button', { name: 'Today' }).click();
	await expect(date).toHaveText(first ?? '');
	await expect(page.locator('section.column')).toHaveCount(5);
});

test('a new clinic can be created instead of the demo', async ({ page }) => {
	await page.goto('/');
	await page.getByRole('button', { name: 'Create clinic' }).click();
	await expect(page.getByText('Enter the clinic’s name')).toBeVisible();
	await expect(page.getByText('Use at least 10 characters')).toBeVisible();
	const create = page.getByRole('region', { name: 'Create your clinic' });
	await create.getByLabel('Clinic name').fill('Cedar Hollow Pediatrics');
	await create.getByLabel('Your name').fill('Ada Admin');
	await create.getByLabel('Login name').fill('ada');
	await create.getByLabel(/^Passphrase(?! again)/).fill('cedar hollow admin');
	await create.getByLabel('Passphrase again').fill('cedar hollow admin');
	await create.getByRole('button', { name: 'Create clinic' }).click();
	await expect(page.getByTestId('clinic-name')).toHaveText('Cedar Hollow Pediatrics', { timeout: 20_000 });
	await expect(page.getByTestId('current-user')).toContainText('Ada Admin');
	// A reload is a new session: the lock screen offers the recent user, and the passphrase opens it.
	await page.reload();
	await expect(page.getByTestId('lock-screen')).toBeVisible();
	await page.getByRole('button', { name: /Ada Admin/ }).click();
	await page.getByLabel('Passphrase').fill('cedar hollow admin');
	await page.getByRole('button', { name: 'Unlock' }).click();
	await expect(page.getByTestId('clinic-name')).toHaveText('Cedar Hollow Pediatrics');
	await page.getByRole('link', { name: 'Admin', exact: true }).click();
	await page.getByLabel('Confirmation').fill('RESET');
	await page.getByRole('button', { name: 'Reset workstation' }).click();
	await expect(page.getByRole('heading', { name: 'Welcome to ClinicDesk' })).toBeVisible();
	const dbs = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
	// The shared databases stay (device, keys, view cache); nothing of the reset workspace stays in them.
	const shared = ['clinicdesk-device', 'clinicdesk-keys', 'clinicdesk-view-cache'];
	expect(dbs.filter((n) => n?.startsWith('clinicdesk-') && !shared.includes(n))).toEqual([]);
	const copies = await page.evaluate(
		() =>
			new Promise<number>((resolve, reject) => {
				const open = indexedDB.open('clinicdesk-view-cache');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const db = open.result;
					if (!db.objectStoreNames.contains('views')) return resolve(0);
					const count = db.transaction('views').objectStore('views').count();
					count.onsuccess = () => resolve(count.result);
					count.onerror = () => reject(count.error);
				};
			})
	);
	expect(copies).toBe(0);
});

test('the server sends the PWA manifest, health and caching headers', async ({ request }) => {
	const health = await request.get('/healthz');
	expect(health.status()).toBe(200);
	expect(await health.json()).toMatchObject({ status: 'ok' });

	const index = await request.get('/');
	expect(index.headers()['cache-control']).toBe('no-cache');
	const html = await index.text();
	const asset = /\/_app\/immutable\/[^"']+\.js/.exec(html)?.[0];
	expect(asset).toBeTruthy();
	const js = await request.get(asset!);
	expect(js.headers()['cache-control']).toContain('immutable');
	expect((await request.get('/sw.js')).headers()['cache-control']).toBe('no-cache');

	const deep = await request.get('/patients/some-id');
	expect(deep.status()).toBe(200);
	expect(await deep.text()).toContain('/_app/immutable/');

	const manifestHref = /<link rel="manifest" href="([^"]+)"/.exec(html)?.[1];
	expect(manifestHref).toBeTruthy();
	const manifest = await (await request.get(manifestHref!)).json();
	expect(manifest).toMatchObject({ name: 'ClinicDesk', short_name: 'ClinicDesk', display: 'standalone' });
	const sizes = manifest.icons.map(
		(i: { sizes: string; purpose?: string }) => `${i.sizes}${i.purpose ? ':' + i.purpose : ''}`
	);
	expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512', '512x512:maskable']));
	for (const icon of manifest.icons) expect((await request.get(icon.src)).status()).toBe(200);
});
