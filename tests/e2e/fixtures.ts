import { spawn, type ChildProcess } from 'node:child_process';
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { SignJWT } from 'jose';

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

/**
 * A server of the test's own (the built app, `build/server/main.js`) on `port` (0: any), with its own
 * data directory and extra environment; resolves once it listens.
 */
export async function serve(
	appDir: string,
	dataDir: string,
	port: number,
	env: Record<string, string> = {}
): Promise<{ child: ChildProcess; url: string }> {
	const child = spawn(process.execPath, ['build/server/main.js'], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			APP_DIR: appDir,
			DATA_DIR: dataDir,
			...env
		},
		stdio: ['ignore', 'pipe', 'inherit']
	});
	const url = await new Promise<string>((resolve, reject) => {
		let out = '';
		child.stdout!.on('data', (d: Buffer) => {
			out += d.toString();
			const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
			if (m) resolve(m[1]!);
		});
		child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
	});
	return { child, url };
}

export async function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) return;
	child.kill('SIGTERM');
	await new Promise((r) => child.once('exit', r));
}

/**
 * What `npm run token` prints for the first workstation of a clinic server, signed here with the
 * server's secret (global-setup.ts sets the shared server's; a test's own server passes its own).
 */
export async function setupToken(
	secret = process.env.RELAY_JWT_SECRET ?? '',
	clinic = process.env.CLINIC_ID ?? ''
): Promise<string> {
	return new SignJWT({ role: 'administrator', clinic, docs: ['*'], access: 'write' })
		.setProtectedHeader({ alg: 'HS256' })
		.setSubject('setup')
		.setIssuer('clinicdesk-relay')
		.setAudience('clinicdesk-sync')
		.setIssuedAt()
		.setExpirationTime('1h')
		.sign(new TextEncoder().encode(secret));
}

export interface Workstation {
	ctx: BrowserContext;
	page: Page;
}

/** A new workstation that joins with a setup token (it is then asked to set up the clinic). */
export async function firstWorkstation(
	browser: Browser,
	baseURL: string,
	token: string
): Promise<Workstation> {
	const ctx = await browser.newContext({ baseURL });
	const page = await ctx.newPage();
	await page.goto('/');
	await page.getByText('First workstation of a new clinic server').click();
	await page.getByLabel('Setup token').fill(token);
	await page.getByRole('button', { name: 'Join with setup token' }).click();
	return { ctx, page };
}

/** A new workstation that joins the clinic server by logging in (demo passphrase by default). */
export async function loginWorkstation(
	browser: Browser,
	baseURL: string,
	username: string,
	passphrase = DEMO_PASSPHRASE
): Promise<Workstation> {
	const ctx = await browser.newContext({ baseURL });
	const page = await ctx.newPage();
	await page.goto('/');
	const join = page.getByRole('region', { name: 'Join your clinic’s server' });
	await join.getByLabel('Login name').fill(username);
	await join.getByLabel('Passphrase').fill(passphrase);
	await join.getByRole('button', { name: 'Log in and join' }).click();
	return { ctx, page };
}
