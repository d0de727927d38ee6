/**
 * Page steps of `bench/large-clinic.bench.ts`: workstations joining, the in-page probe
 * (clinic-probe.ts) armed and read, a remote edit, an offline cold open, the other clients, and a
 * profiled run. Every time is measured as that file's header describes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import * as Y from 'yjs';
import { token } from '../../tests/integration/support/clients';
import type { RelayIdentityForTests } from '../../tests/integration/support/relay';
import { log, SMOKE } from '../lib';
import {
	startProfiler,
	summariseProfile,
	summariseTrace,
	TRACE_CATEGORIES,
	type CpuProfile
} from './browser';
import type { ArmSpec, Sample } from './clinic-probe';
import {
	DEMO_PASSPHRASE,
	directoryDoc,
	scheduleDoc,
	type ClinicDocs,
	type ClinicServer
} from './large-clinic';
import { sleep } from './processes';
import { MuxLink, step1Message, within } from './raw-client';

const BLOCKS = '[data-testid="appointment"]';

export interface Station {
	name: 'A' | 'B';
	ctx: BrowserContext;
	page: Page;
}

export async function arm(page: Page, spec: ArmSpec): Promise<void> {
	await page.evaluate((s) => window.__clinicBench.arm(s), spec);
}

export async function result(page: Page): Promise<Sample> {
	return page.evaluate(() => window.__clinicBench.result());
}

export async function settle(page: Page): Promise<void> {
	await page.evaluate(
		() =>
			new Promise<void>((resolve) =>
				setTimeout(() => requestIdleCallback(() => resolve(), { timeout: 3000 }), 250)
			)
	);
}

/** Waits (at most a minute) until the page's main thread has had nothing to do for 2 s (0.2 s smoking). */
export async function quiet(page: Page, what: string): Promise<void> {
	const ms = await page.evaluate((w) => window.__clinicBench.quiet(w, 50, 60_000), SMOKE ? 200 : 2000);
	if (ms < 0) log(`${what}: the page was still busy after a minute; measuring anyway`);
	else if (ms > 3000) log(`${what}: waited ${(ms / 1000).toFixed(1)} s for the page to be idle`);
}

export async function waitDense(page: Page, ids: readonly string[], timeoutMs: number): Promise<void> {
	await page.evaluate((list) => window.__clinicBench.setDense(list), [...ids]);
	await page.waitForFunction(() => window.__clinicBench.denseReady(), null, { timeout: timeoutMs });
}

export async function waitSynced(page: Page, timeoutMs: number): Promise<void> {
	await page
		.getByTestId('sync-status')
		.getByText(/^Synced/)
		.waitFor({ timeout: timeoutMs });
}

/** A new workstation joins by logging in; returns the Node-side times of its first full sync. */
export async function join(
	ctx: BrowserContext,
	name: Station['name'],
	ids: readonly string[]
): Promise<{ station: Station; paintMs: number; syncedMs: number }> {
	const page = await ctx.newPage();
	await page.goto('/');
	const region = page.getByRole('region', { name: 'Join your clinic’s server' });
	await region.getByLabel('Login name').fill('admin');
	await region.getByLabel('Passphrase').fill(DEMO_PASSPHRASE);
	const t0 = performance.now();
	await region.getByRole('button', { name: 'Log in and join' }).click();
	await page.getByTestId('current-user').waitFor({ timeout: 120_000 });
	await waitDense(page, ids, 180_000);
	const paintMs = performance.now() - t0;
	// The schedule opens the past year 2 s after its first paint; "Synced" counts that too.
	if (!SMOKE) await sleep(2500);
	await waitSynced(page, 180_000);
	const syncedMs = performance.now() - t0;
	log(
		`first sync ${name}: today painted after ${paintMs.toFixed(0)} ms, Synced after ${syncedMs.toFixed(0)} ms`
	);
	return { station: { name, ctx, page }, paintMs, syncedMs };
}

/**
 * How far page B's clock (`timeOrigin + now()`) is ahead of page A's: each page's offset against
 * Node's clock from the read with the shortest round trip, of 15.
 */
export async function clockOffset(
	a: Page,
	b: Page
): Promise<{ bMinusA: number; aMinusNode: number; uncertainty: number }> {
	const offsetOf = async (page: Page) => {
		let best = { rtt: Infinity, offset: 0 };
		for (let i = 0; i < 15; i++) {
			const t0 = performance.timeOrigin + performance.now();
			const pageTime = await page.evaluate(() => window.__clinicBench.now());
			const t1 = performance.timeOrigin + performance.now();
			if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: pageTime - (t0 + t1) / 2 };
		}
		return best;
	};
	const oa = await offsetOf(a);
	const ob = await offsetOf(b);
	return { bMinusA: ob.offset - oa.offset, aMinusNode: oa.offset, uncertainty: (oa.rtt + ob.rtt) / 2 };
}

/** The last visit of the first provider: one slot down (or back up) meets nobody. */
export async function moveTarget(page: Page): Promise<string> {
	const id = await page.$$eval(`section.column:first-of-type ${BLOCKS}`, (els) => {
		let best: HTMLElement | null = null;
		for (const el of els as HTMLElement[]) {
			if (!best || parseFloat(el.style.top) > parseFloat(best.style.top)) best = el;
		}
		return best?.dataset.appointmentId ?? '';
	});
	if (!id) throw new Error('no appointment block in the first column');
	return id;
}

export interface RemoteSample {
	/** A's Enter keydown → B's frame, clock offset removed. */
	remote: number;
	/** A's Enter keydown → A's own frame. */
	local: number;
	/** A's Enter keydown → B's DOM showing it. */
	remoteDom: number;
	/** A's Enter keydown → A's first socket send (A's handler: the edit, its storage, the update out). */
	aSend: number;
	/** A's Enter keydown → B's first socket message after it (+ the relay and loopback). */
	bMessage: number;
	/** A's Enter keydown on A's clock (`timeOrigin + now()`). */
	aInput: number;
}

/** Medians of where a remote edit's time goes, for the log. */
export function remoteBreakdown(samples: readonly RemoteSample[]): string {
	const med = (f: (s: RemoteSample) => number) => {
		const v = samples
			.map(f)
			.filter(Number.isFinite)
			.sort((x, y) => x - y);
		return v.length ? v[Math.floor((v.length - 1) / 2)]!.toFixed(1) : '–';
	};
	return (
		`remote, medians from A's Enter: A's first send ${med((s) => s.aSend)} ms, B's first message ` +
		`${med((s) => s.bMessage)}, B's DOM ${med((s) => s.remoteDom)}, B's frame ${med((s) => s.remote)}; ` +
		`B message → DOM ${med((s) => s.remoteDom - s.bMessage)}, DOM → frame ${med((s) => s.remote - s.remoteDom)}`
	);
}

export async function remoteEdit(
	a: Page,
	b: Page,
	id: string,
	direction: 'ArrowDown' | 'ArrowUp',
	bMinusA: number
): Promise<RemoteSample> {
	const block = a.locator(`[data-appointment-id="${id}"]`);
	await block.locator('button').focus();
	await a.keyboard.press('m');
	await a.keyboard.press(direction);
	await a.getByTestId('move-ghost').waitFor({ timeout: 10_000 });
	const fromTop = await block.evaluate((el) => (el as HTMLElement).style.top);
	const bTop = await b
		.locator(`[data-appointment-id="${id}"]`)
		.evaluate((el) => (el as HTMLElement).style.top);
	if (bTop !== fromTop) throw new Error(`B shows the block at ${bTop}, A at ${fromTop}: not in step`);
	await arm(b, { name: 'remote-edit', event: null, ready: { id, fromTop }, timeoutMs: 30_000 });
	await arm(a, {
		name: 'remote-edit-local',
		event: 'keydown',
		key: 'Enter',
		ready: { id, fromTop },
		timeoutMs: 30_000
	});
	await a.keyboard.press('Enter');
	const [sa, sb] = await Promise.all([result(a), result(b)]);
	await Promise.all([settle(a), settle(b)]);
	return {
		remote: sb.frame - bMinusA - sa.input,
		remoteDom: sb.dom - bMinusA - sa.input,
		local: sa.frame - sa.input,
		aSend: sa.send - sa.input,
		bMessage: sb.msg - bMinusA - sa.input,
		aInput: sa.input
	};
}

/**
 * How the passphrase goes in: `filled` — login name and passphrase filled at once and Unlock clicked
 * straight away (a password manager; the unlock then waits for all of PBKDF2); `typed` — the
 * passphrase typed key by key, TYPE_KEY_MS apart, and Enter pressed TYPE_ENTER_MS after the last key,
 * as a quick typist does (the lock screen derives the passphrase key while it is typed).
 */
export type UnlockEntry = 'filled' | 'typed';
export const TYPE_KEY_MS = 100;
export const TYPE_ENTER_MS = 200;

export async function coldOpen(
	a: Page,
	ids: readonly string[],
	entry: UnlockEntry = 'filled'
): Promise<{
	unlockToPaint: number;
	unlockToLive: number;
	fromCopy: boolean;
	dom: number;
	reloadToLock: number;
}> {
	await a.reload();
	await a.evaluate((list) => window.__clinicBench.setDense(list), [...ids]);
	const lock = a.getByTestId('lock-screen');
	await lock.waitFor({ timeout: 60_000 });
	await a.waitForFunction(() => !Number.isNaN(window.__clinicBench.lockScreen().frame), null, {
		timeout: 10_000
	});
	const shown = await a.evaluate(() => window.__clinicBench.lockScreen());
	await lock.getByLabel('Login name').fill('admin');
	const pass = lock.getByLabel('Passphrase');
	const within = '[data-testid="lock-screen"]';
	if (entry === 'typed') {
		await arm(a, {
			name: 'cold-open',
			event: 'keydown',
			key: 'Enter',
			within,
			ready: 'dense',
			timeoutMs: 120_000
		});
		await pass.pressSequentially(DEMO_PASSPHRASE, { delay: TYPE_KEY_MS });
		await sleep(TYPE_ENTER_MS);
		await pass.press('Enter');
	} else {
		await pass.fill(DEMO_PASSPHRASE);
		await arm(a, { name: 'cold-open', event: 'click', within, ready: 'dense', timeoutMs: 120_000 });
		await lock.getByRole('button', { name: /^Unlock/ }).click();
	}
	const s = await result(a);
	const fromCopy = await a.evaluate(() => !!document.querySelector('[data-preview]'));
	// The first paint may be the last session's sealed copy of today ([data-preview]); the live day
	// (the documents read) follows. Polled per frame, so within ~16 ms.
	await a.waitForFunction(() => !document.querySelector('[data-preview]'), null, {
		timeout: 180_000,
		polling: 'raf'
	});
	// The probe's times are epoch milliseconds (timeOrigin + now).
	const liveAt = await a.evaluate(() => performance.timeOrigin + performance.now());
	await settle(a);
	return {
		unlockToPaint: s.frame - s.input,
		unlockToLive: liveAt - s.input,
		fromCopy,
		dom: s.dom - s.input,
		reloadToLock: shown.frame - shown.origin
	};
}

// ---------------------------------------------------------------------------------------------------
// Other clients

export async function connectOthers(
	server: ClinicServer,
	identity: RelayIdentityForTests,
	clinic: ClinicDocs,
	count: number
): Promise<MuxLink[]> {
	const month = scheduleDoc(clinic.today.slice(0, 7));
	const docs = [month, directoryDoc()];
	const links: MuxLink[] = [];
	for (let i = 0; i < count; i += 10) {
		await Promise.all(
			Array.from({ length: Math.min(10, count - i) }, async (_, j) => {
				const jwt = await token(identity, {
					sub: `other-${i + j}`,
					role: 'front-desk',
					docs: ['directory', 'schedule/', 'patients/'],
					ttlSeconds: 3600
				});
				const mux = await MuxLink.connect(server.wsBase, jwt);
				links.push(mux);
				await Promise.all(
					docs.map(async (name) => {
						// In step from the start, as a workstation that already has the clinic: its step 2 and
						// its step 1 with the seeded state vector leave only the workstations' changes to send.
						const update = clinic.docs.get(name)!;
						const link = mux.open(name, update);
						await within(link.subscribed, 60_000, `other ${i + j}: ${name}`);
						link.send(step1Message(Y.encodeStateVectorFromUpdate(update)));
					})
				);
			})
		);
	}
	return links;
}

// ---------------------------------------------------------------------------------------------------
// Profiling pass

export async function profiled(page: Page, file: string, run: () => Promise<unknown>): Promise<void> {
	const cdp: CDPSession = await page.context().newCDPSession(page);
	const stop = await startProfiler(cdp);
	let profile: CpuProfile;
	try {
		await run();
	} finally {
		profile = await stop();
		await cdp.detach().catch(() => undefined);
	}
	fs.writeFileSync(file, JSON.stringify(profile));
	const s = summariseProfile(profile, 20);
	log(`\nprofile ${path.basename(file)}: ${s.sampledMs.toFixed(0)} ms sampled`);
	log('  by self time:');
	for (const r of s.bySelf) log(`  ${r.selfMs.toFixed(1).padStart(8)} ms  ${r.fn}`);
	log('  by total time:');
	for (const r of s.byTotal) log(`  ${r.totalMs.toFixed(1).padStart(8)} ms  ${r.fn}`);
}

/** CPU profiles of `runs` remote edits on B (the receiver), then on A (the sender), written to `dir`. */
export async function profileRemote(a: Page, b: Page, id: string, dir: string, runs: number): Promise<void> {
	fs.mkdirSync(dir, { recursive: true });
	const clock = await clockOffset(a, b);
	let n = 0;
	const edits = async () => {
		for (let i = 0; i < runs; i++)
			await remoteEdit(a, b, id, n++ % 2 === 0 ? 'ArrowDown' : 'ArrowUp', clock.bMinusA);
	};
	const browser = b.context().browser()!;
	const tracePath = path.join(dir, 'remote-edit-B.trace.json');
	const heapBefore = await b.evaluate(() => window.__clinicBench.heap());
	await browser.startTracing(b, { path: tracePath, categories: TRACE_CATEGORIES });
	const traced: RemoteSample[] = [];
	try {
		for (let i = 0; i < runs; i++)
			traced.push(await remoteEdit(a, b, id, n++ % 2 === 0 ? 'ArrowDown' : 'ArrowUp', clock.bMinusA));
	} finally {
		await browser.stopTracing();
	}
	const trace = JSON.parse(fs.readFileSync(tracePath, 'utf8')) as Parameters<typeof summariseTrace>[0];
	const t = summariseTrace(trace, 'clinicdesk:large-clinic:remote-edit', 20);
	log(
		`\ntrace of B, first socket message → frame, ${t.spans.length} edits (${traced.map((s) => s.remote.toFixed(0)).join(' ')} ms): ` +
			`${t.spanMs.toFixed(1)} ms, main thread busy ${t.busyMs.toFixed(1)} ms (CPU ${t.cpuMs.toFixed(1)}); JS heap ` +
			`${(heapBefore / 1e6).toFixed(0)} MB`
	);
	for (const r of t.byName) log(`  ${r.selfMs.toFixed(1).padStart(8)} ms  ${r.name}`);
	log(remoteBreakdown(traced));
	await profiled(b, path.join(dir, 'remote-edit-B.cpuprofile'), edits);
	await profiled(a, path.join(dir, 'remote-edit-A.cpuprofile'), edits);
	log(`\nprofiles in ${dir}`);
}
