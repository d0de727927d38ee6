import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, serve, stop, test, unlock, waitForServiceWorker } from './fixtures';

/**
 * A deploy is a restart of the server on a new build. This test serves its own copy of the built
 * app, restarts the server on the same port with a changed service worker, and checks that the open
 * app offers the update and installs it on "Reload to update".
 */
test('a new version of the app is offered with a reload prompt, and reloading installs it', async ({
	browser
}) => {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-update-'));
	const appDir = path.join(tmp, 'app');
	fs.cpSync(path.resolve('build/app'), appDir, { recursive: true });
	let server = await serve(appDir, path.join(tmp, 'data'), 0);
	const port = Number(new URL(server.url).port);
	const context = await browser.newContext({ baseURL: server.url });
	try {
		const page = await context.newPage();
		await page.goto('/');
		await page.getByRole('button', { name: 'Open demo clinic' }).click();
		await expect(page.getByTestId('clinic-name')).toContainText('(demo)', { timeout: 30_000 });
		await waitForServiceWorker(page);

		await stop(server.child);
		const swPath = path.join(appDir, 'sw.js');
		const original = fs.readFileSync(swPath, 'utf8');
		// A new build changes the precache manifest inside sw.js.
		fs.writeFileSync(
			swPath,
			original.replace('url:"index.html",revision:"', 'url:"index.html",revision:"next-')
		);
		server = await serve(appDir, path.join(tmp, 'data'), port);

		await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
		const banner = page.getByRole('alert').filter({ hasText: 'A new version of ClinicDesk is available.' });
		await expect(banner).toBeVisible({ timeout: 20_000 });
		await page.getByRole('button', { name: 'Reload to update' }).click();
		await unlock(page);
		await expect(page.getByTestId('clinic-name')).toContainText('(demo)');
		await expect(banner).toBeHidden();
		const waiting = await page.evaluate(async () =>
			Boolean((await navigator.serviceWorker.getRegistration())?.waiting)
		);
		expect(waiting).toBe(false);
	} finally {
		await context.close();
		await stop(server.child);
		fs.rmSync(tmp, { recursive: true, force: true });
	}
});
