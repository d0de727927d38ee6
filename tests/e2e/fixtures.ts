import { test as base, expect, type Page } from '@playwright/test';

export const test = base.extend({
	// Playwright requires an object pattern here even when no other fixture is used.
	// eslint-disable-next-line no-empty-pattern
	baseURL: async ({}, use) => {
		const url = process.env.CLINICDESK_URL;
		if (!url) throw new Error('CLINICDESK_URL is not set: run through playwright.config.ts');
		await use(url);
	}
});
export { expect };

/** Opens the app fresh and loads the demo clinic, waiting for today's schedule. */
export async function openDemo(page: Page): Promise<void> {
	await page.goto('/');
	await page.getByRole('button', { name: 'Open demo clinic' }).click();
	await expect(page.getByRole('heading', { name: /Schedule/ })).toBeVisible({ timeout: 30_000 });
	await expect(page.getByTestId('clinic-name')).toContainText('(demo)');
}

/** Moves the day view forward to the next day with appointments (the demo clinic is closed at weekends). */
export async function showBusyDay(page: Page): Promise<void> {
	const appointments = page.getByTestId('appointment');
	for (let i = 0; i < 4; i++) {
		await expect(page.getByText(/appointments? on this day/)).toBeVisible();
		if ((await appointments.count()) > 0) return;
		await page.getByRole('button', { name: 'Next day' }).click();
	}
	await expect(appointments.first()).toBeVisible();
}

/** The demo clinic's passphrase for every account (synthetic clinic; see workspace.svelte.ts). */
export const DEMO_PASSPHRASE = 'demo clinic passphrase';

/** Unlocks the lock screen as `username` (the demo administrator by default). */
export async function unlock(page: Page, username = 'admin', passphrase = DEMO_PASSPHRASE): Promise<void> {
	const lock = page.getByTestId('lock-screen');
	await expect(lock).toBeVisible({ timeout: 20_000 });
	await lock.getByLabel('Login name').fill(username);
	await lock.getByLabel('Passphrase').fill(passphrase);
	await lock.getByRole('button', { name: /^Unlock/ }).click();
	await expect(page.getByTestId('current-user')).toBeVisible({ timeout: 20_000 });
}

/** Waits until a service worker controls the page, so later loads can come from its cache. */
export async function waitForServiceWorker(page: Page): Promise<void> {
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
		if (!navigator.serviceWorker.controller) {
			await new Promise<void>((resolve) =>
				navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
			);
		}
	});
}
