/**
 * Day view render (issue "Scheduling": "Benchmarks: day view render with 5 providers × 40
 * appointments"), in Chromium on the built app.
 *
 * The app server (build/server/main.js serving build/app, as `npm start` does) runs under a guard
 * with its data in a temporary directory; Chromium is launched by Playwright with the e2e tests'
 * options, 1600×1200. The page opens `/?demo=dense`: "Open demo clinic" then makes the small demo
 * clinic with today packed with 5 providers × 40 back-to-back 10-minute visits (withDenseDay), and
 * the schedule opens on that day: 200 appointment blocks.
 *
 * Each sample is timed inside the page, from the input event's own timestamp (`event.timeStamp`:
 * when the browser received the click or key) to the end of the first frame that shows the result:
 * a MutationObserver notices the DOM is complete, then a requestAnimationFrame callback posts a
 * message, which runs once that frame's style, layout and paint are done on the main thread. The
 * double-rAF time (one frame later still) is reported alongside in the notes.
 *
 * - Switch day: on the day before today, "Next day" → 200 blocks with patient names painted.
 * - Local edit to paint: the last block of the first provider, keyboard move (focus, M, ArrowDown or
 *   ArrowUp, then Enter) → the block at its new `top`, painted. The write goes through
 *   `schedule.move` (Yjs, conflicts, encryption, IndexedDB) as for a person.
 * - Local edit floor (a control, no target): the same block moved 1 px by hand from an F8 keydown
 *   the app never sees, then the same on a blank page holding only that block: what the browser
 *   needs without the app (input delivery, the wait for the next frame, the page's own frame).
 * - Cold open: reload (keys live in memory only, so the lock screen shows), log in as the demo
 *   administrator → 200 blocks painted: PBKDF2, unwrapping keys, decrypting and reading the
 *   documents, rendering.
 *
 * Every sample leaves `performance.measure('clinicdesk:day-view:<what>')` in the page, visible in a
 * trace. `DAYVIEW_PROFILE=<dir>` adds a pass after the measurements that records a Chromium trace and
 * a V8 CPU profile of each case into <dir> and prints where the time went.
 *
 * BENCH_SMOKE=1: one sample of each, and only if the app is built (building takes minutes).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { emit, log, median, SMOKE } from './lib';
import {
	buildApp,
	buildState,
	chromiumPath,
	launchChromium,
	startAppServer,
	startProfiler,
	summariseProfile,
	summariseTrace,
	TRACE_CATEGORIES,
	type AppServer,
	type CpuProfile,
	type LaunchedBrowser
} from './support/browser';
import { tempRoot, type TempRoot } from './support/processes';

const SIZES = SMOKE
	? { warmups: 0, switches: 1, edits: 1, colds: 1 }
	: { warmups: 3, switches: 20, edits: 20, colds: 5 };
const PROFILE_DIR = SMOKE ? undefined : process.env.DAYVIEW_PROFILE;
const PROFILE_RUNS = 3;
/** `loadHistory` starts 2 s after the schedule's first paint (smoke runs do not wait for it). */
const HISTORY_DELAY_MS = SMOKE ? 0 : 4000;

const DEMO_PASSPHRASE = 'demo clinic passphrase';
const BLOCKS = '[data-testid="appointment"]';
const DENSE = { providers: 5, perProvider: 40 };

const TARGETS = {
	/** The RAIL response budget: a reaction within 100 ms feels immediate. */
	switchDay: 100,
	/** Issue #7, "local edit to paint": within the frame (60 Hz) after the key. */
	localEdit: 16,
	/** Unlocking is a task switch: within a second the person stays with their flow. */
	coldOpen: 1000
};

/**
 * Runs in the page (plain JavaScript: tsx would wrap functions in helpers the page does not have).
 * `arm(spec)` waits for the next input event of `spec.event` and then for `spec.ready`; `result()`
 * resolves with times relative to the input event.
 */
const PROBE = String.raw`(() => {
	if (window.__dayViewBench) return;
	const BLOCKS = '[data-testid="appointment"]';
	let dense = new Set();
	let pending = null;
	function denseReady() {
		const blocks = document.querySelectorAll(BLOCKS);
		if (dense.size === 0 || blocks.length < dense.size) return false;
		let n = 0;
		for (const b of blocks) {
			if (!dense.has(b.dataset.appointmentId)) continue;
			// A compact block has no element around the name (just the button's text after the time).
			const name = b.querySelector('.patient') ?? b.querySelector('button');
			if (!name || !name.textContent || name.textContent.includes('Unknown patient')) return false;
			n++;
		}
		return n === dense.size;
	}
	function denseAbsent() {
		for (const b of document.querySelectorAll(BLOCKS)) if (dense.has(b.dataset.appointmentId)) return false;
		return true;
	}
	function afterPaint() {
		return new Promise((resolve) => {
			requestAnimationFrame(() => {
				const out = { frame: NaN, doubleRaf: NaN };
				const channel = new MessageChannel();
				channel.port1.onmessage = () => {
					out.frame = performance.now();
					if (!Number.isNaN(out.doubleRaf)) resolve(out);
				};
				channel.port2.postMessage(0);
				requestAnimationFrame(() => {
					out.doubleRaf = performance.now();
					if (!Number.isNaN(out.frame)) resolve(out);
				});
			});
		});
	}
	let restoreFloor = () => undefined;
	window.__dayViewBench = {
		setDense(ids) { dense = new Set(ids); },
		// The floor of a local edit on this page: the next F8 moves the block 1 px by hand, with no
		// app code in between (the app never sees the key). Returns the block's top before.
		floor(id) {
			const el = document.querySelector('[data-appointment-id="' + id + '"]');
			const original = el.getAttribute('style');
			const fromTop = el.style.top;
			const onKey = (e) => {
				if (e.key !== 'F8') return;
				e.preventDefault();
				e.stopPropagation();
				removeEventListener('keydown', onKey, true);
				el.style.top = parseFloat(fromTop) + 1 + 'px';
			};
			addEventListener('keydown', onKey, true);
			restoreFloor = () => el.setAttribute('style', original);
			return fromTop;
		},
		restoreFloor() { restoreFloor(); },
		denseReady,
		denseAbsent,
		arm(spec) {
			const name = 'clinicdesk:day-view:' + spec.name;
			let t0 = NaN;
			let done = false;
			let observer = null;
			let check = () => undefined;
			const ready = spec.ready === 'dense'
				? denseReady
				: () => {
						const el = document.querySelector('[data-appointment-id="' + spec.ready.id + '"]');
						return !!el && el.style.top !== spec.ready.fromTop;
					};
			const onInput = (e) => {
				if (!Number.isNaN(t0)) return;
				if (spec.key && e.key !== spec.key) return;
				if (spec.within && !(e.target instanceof Element && e.target.closest(spec.within))) return;
				t0 = e.timeStamp;
				performance.mark(name + ':input', { startTime: t0 });
				check();
			};
			pending = new Promise((resolve, reject) => {
				const cleanup = () => {
					observer.disconnect();
					removeEventListener(spec.event, onInput, true);
					clearTimeout(timer);
				};
				const timer = setTimeout(() => {
					cleanup();
					reject(new Error(spec.name + ': not on screen after ' + spec.timeoutMs + ' ms (input seen: ' + !Number.isNaN(t0) + ')'));
				}, spec.timeoutMs);
				let first = null;
				// With spec.live, the sample also says when the page stopped showing the last session's
				// copy (no [data-preview]) with the same blocks: the documents are read.
				const live = () => !document.querySelector('[data-preview]') && ready();
				check = () => {
					if (done || Number.isNaN(t0)) return;
					if (!first) {
						if (!ready()) return;
						const dom = performance.now();
						performance.mark(name + ':dom', { startTime: dom });
						first = afterPaint().then(({ frame, doubleRaf }) => {
							performance.measure(name, { start: t0, end: frame });
							return { dom: dom - t0, frame: frame - t0, doubleRaf: doubleRaf - t0 };
						});
					}
					if (spec.live && !live()) return;
					done = true;
					const liveAt = performance.now() - t0;
					cleanup();
					first.then((sample) => resolve(spec.live ? { ...sample, live: liveAt } : sample));
				};
				observer = new MutationObserver(() => check());
				observer.observe(document.documentElement, {
					subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['style']
				});
			});
			// A rejection nobody awaits yet must not become an unhandled one.
			pending.catch(() => undefined);
			addEventListener(spec.event, onInput, true);
		},
		result() { return pending; }
	};
})();`;

interface ArmSpec {
	name: string;
	event: 'click' | 'keydown';
	key?: string;
	within?: string;
	ready: 'dense' | { id: string; fromTop: string };
	/** Also wait until the page shows the documents' contents, not the last session's copy. */
	live?: boolean;
	timeoutMs: number;
}

interface Sample {
	/** Input event → the DOM complete (MutationObserver). */
	dom: number;
	/** Input event → the end of the frame that shows it (rAF, then a posted message). */
	frame: number;
	/** Input event → the rAF of the frame after that. */
	doubleRaf: number;
	/** Input event → the page no longer shows the last session's copy (cold open, `live`). */
	live?: number;
}

interface Probe {
	setDense(ids: string[]): void;
	floor(id: string): string;
	restoreFloor(): void;
	denseReady(): boolean;
	denseAbsent(): boolean;
	arm(spec: ArmSpec): void;
	result(): Promise<Sample>;
}
declare global {
	interface Window {
		__dayViewBench: Probe;
	}
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function skip(reason: string): void {
	log(`day-view: skipped — ${reason}`);
	// The harness counts a file that reports nothing as broken, so the skip is itself the result.
	emit({ name: 'day view: skipped', unit: 'bool', value: 1, notes: reason });
}

// ---------------------------------------------------------------------------------------------------
// Page steps

async function arm(page: Page, spec: ArmSpec): Promise<void> {
	await page.evaluate((s) => window.__dayViewBench.arm(s), spec);
}

async function result(page: Page): Promise<Sample> {
	return page.evaluate(() => window.__dayViewBench.result());
}

/** Lets the page finish what a change started (persistence, history) before the next sample. */
async function settle(page: Page): Promise<void> {
	await page.evaluate(
		() =>
			new Promise<void>((resolve) =>
				setTimeout(() => requestIdleCallback(() => resolve(), { timeout: 2000 }), 250)
			)
	);
}

async function openDenseDemo(page: Page): Promise<string[]> {
	await page.goto('/?demo=dense');
	await page.getByRole('button', { name: 'Open demo clinic' }).click();
	await page.getByRole('heading', { name: /Schedule/ }).waitFor({ timeout: 60_000 });
	await page.waitForFunction((sel) => document.querySelectorAll(sel).length >= 200, BLOCKS, {
		timeout: 60_000
	});
	const ids = await page.$$eval(BLOCKS, (els) =>
		els.map((e) => (e as HTMLElement).dataset.appointmentId ?? '')
	);
	const unique = new Set(ids.filter(Boolean));
	const expected = DENSE.providers * DENSE.perProvider;
	if (unique.size !== expected) {
		throw new Error(`the dense demo day shows ${unique.size} appointments, expected ${expected}`);
	}
	await page.evaluate((list) => window.__dayViewBench.setDense(list), [...unique]);
	await page.waitForFunction(() => window.__dayViewBench.denseReady(), null, { timeout: 30_000 });
	return [...unique];
}

/** What the numbers depend on besides the 200 blocks: the weekday (hours) and the conflicts. */
async function dayContext(page: Page): Promise<{ weekday: string; openConflicts: number }> {
	const date = (await page.getByTestId('schedule-date').textContent())?.trim() ?? '';
	const badge = page.getByTestId('view-conflicts').locator('.badge');
	const openConflicts = (await badge.count()) > 0 ? Number(await badge.textContent()) : 0;
	return { weekday: date.split(',')[0] ?? date, openConflicts };
}

async function switchDay(page: Page): Promise<Sample> {
	await page.getByRole('button', { name: 'Previous day' }).click();
	await page.waitForFunction(() => window.__dayViewBench.denseAbsent(), null, { timeout: 30_000 });
	await settle(page);
	await arm(page, { name: 'switch-day', event: 'click', ready: 'dense', timeoutMs: 30_000 });
	await page.getByRole('button', { name: 'Next day' }).click();
	const sample = await result(page);
	await settle(page);
	return sample;
}

/** The last visit of the first provider: moving it one slot down (or back up) meets nobody. */
async function moveTarget(page: Page): Promise<string> {
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

async function localEdit(page: Page, id: string, direction: 'ArrowDown' | 'ArrowUp'): Promise<Sample> {
	const block = page.locator(`[data-appointment-id="${id}"]`);
	await block.locator('button').focus();
	await page.keyboard.press('m');
	await page.keyboard.press(direction);
	await page.getByTestId('move-ghost').waitFor({ timeout: 10_000 });
	const fromTop = await block.evaluate((el) => (el as HTMLElement).style.top);
	await arm(page, {
		name: 'local-edit',
		event: 'keydown',
		key: 'Enter',
		ready: { id, fromTop },
		timeoutMs: 10_000
	});
	await page.keyboard.press('Enter');
	const sample = await result(page);
	await settle(page);
	return sample;
}

/**
 * The same measurement with the app taken out: the browser's own cost of showing one moved block on
 * this page (input delivery, waiting for the frame, style, layout, paint of the 200-block day).
 */
async function localEditFloor(page: Page, id: string): Promise<Sample> {
	await page.locator(`[data-appointment-id="${id}"] button`).focus();
	const fromTop = await page.evaluate((i) => window.__dayViewBench.floor(i), id);
	await arm(page, {
		name: 'local-edit-floor',
		event: 'keydown',
		key: 'F8',
		ready: { id, fromTop },
		timeoutMs: 10_000
	});
	await page.keyboard.press('F8');
	const sample = await result(page);
	await page.evaluate(() => window.__dayViewBench.restoreFloor());
	await settle(page);
	return sample;
}

async function coldOpen(page: Page, ids: readonly string[]): Promise<Sample> {
	await page.reload();
	// A new document: the probe starts over.
	await page.evaluate((list) => window.__dayViewBench.setDense(list), [...ids]);
	const lock = page.getByTestId('lock-screen');
	await lock.waitFor({ timeout: 30_000 });
	await lock.getByLabel('Login name').fill('admin');
	await lock.getByLabel('Passphrase').fill(DEMO_PASSPHRASE);
	await arm(page, {
		name: 'cold-open',
		event: 'click',
		within: '[data-testid="lock-screen"]',
		ready: 'dense',
		live: true,
		timeoutMs: 60_000
	});
	await lock.getByRole('button', { name: /^Unlock/ }).click();
	const sample = await result(page);
	await settle(page);
	return sample;
}

// ---------------------------------------------------------------------------------------------------
// Reporting

interface Case {
	key: 'switch-day' | 'local-edit' | 'local-edit-floor' | 'cold-open';
	label: string;
	samples: Sample[];
	/** None for the floor: a control, not a target. */
	target?: number;
	/** What the highest sample is called: with few samples, p95 is simply the slowest. */
	high: 'p95' | 'max';
	what: string;
}

function report(c: Case, context: string): void {
	const frames = c.samples.map((s) => s.frame);
	const med = median(frames);
	const high = c.high === 'p95' ? percentile(frames, 95) : Math.max(...frames);
	const detail =
		`${c.samples.length} samples; DOM complete median ${round1(median(c.samples.map((s) => s.dom)))} ms, ` +
		`double rAF median ${round1(median(c.samples.map((s) => s.doubleRaf)))} ms; ${context}`;
	log(
		`${c.key}: ${frames.map((f) => f.toFixed(1)).join(' ')} ms → median ${med.toFixed(1)}, ${c.high} ${high.toFixed(1)}`
	);
	emit({
		name: `${c.label}, median`,
		unit: 'ms',
		value: round1(med),
		target: c.target,
		notes: `${c.what}; ${detail}`
	});
	emit({
		name: `${c.label}, ${c.high}`,
		unit: 'ms',
		value: round1(high),
		target: c.target,
		notes: `${c.high === 'p95' ? 'nearest-rank p95' : 'slowest sample'}; ${detail}`
	});
}

// ---------------------------------------------------------------------------------------------------
// Profiling pass (DAYVIEW_PROFILE=<dir>)

async function profileCase(
	launched: LaunchedBrowser,
	page: Page,
	dir: string,
	key: Case['key'],
	run: () => Promise<Sample>
): Promise<void> {
	const cdp = await page.context().newCDPSession(page);
	const tracePath = path.join(dir, `day-view-${key}.trace.json`);
	await launched.browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
	const profiles: CpuProfile[] = [];
	const samples: Sample[] = [];
	try {
		for (let i = 0; i < PROFILE_RUNS; i++) {
			const stop = await startProfiler(cdp);
			try {
				samples.push(await run());
			} finally {
				profiles.push(await stop());
			}
		}
	} finally {
		await launched.browser.stopTracing();
		await cdp.detach().catch(() => undefined);
	}
	profiles.forEach((p, i) =>
		fs.writeFileSync(path.join(dir, `day-view-${key}-${i}.cpuprofile`), JSON.stringify(p))
	);
	const trace = JSON.parse(fs.readFileSync(tracePath, 'utf8')) as Parameters<typeof summariseTrace>[0];
	const t = summariseTrace(trace, `clinicdesk:day-view:${key}`);
	log(
		`\nprofile ${key}: ${samples.map((s) => s.frame.toFixed(1)).join(' ')} ms while profiled (slower than ` +
			`without); trace: ${t.spans.length} spans, ${t.spanMs.toFixed(1)} ms, main thread busy ` +
			`${t.busyMs.toFixed(1)} ms (CPU ${t.cpuMs.toFixed(1)} ms); main-thread self time by event:`
	);
	for (const r of t.byName) log(`  ${r.selfMs.toFixed(1).padStart(8)} ms  ${r.name}`);
	// Only the samples between each run's input and its paint (the trace's measures) count.
	const summaries = profiles.map((p) => summariseProfile(p, 25, t.spans));
	const sampled = summaries.reduce((sum, m) => sum + m.sampledMs, 0);
	for (const pick of ['bySelf', 'byTotal'] as const) {
		const rows = new Map<string, number>();
		for (const m of summaries) {
			for (const r of m[pick])
				rows.set(r.fn, (rows.get(r.fn) ?? 0) + (pick === 'bySelf' ? r.selfMs : r.totalMs));
		}
		log(
			`  JavaScript by ${pick === 'bySelf' ? 'self' : 'total'} time, all ${PROFILE_RUNS} runs ` +
				`(${sampled.toFixed(1)} ms sampled in the spans):`
		);
		for (const [fn, ms] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
			log(`  ${ms.toFixed(1).padStart(8)} ms  ${fn}`);
		}
	}
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const build = buildState();
	if (!build.built) {
		if (SMOKE) return skip('build/app is missing and building takes minutes; run `npm run build` first');
		log('day-view: build/app is missing: running `npm run build` first');
		buildApp();
	} else if (process.env.FORCE_BUILD === '1' && !SMOKE) {
		log('day-view: FORCE_BUILD=1: running `npm run build` first');
		buildApp();
	} else if (build.stale) {
		log(
			`day-view: ⚠ the build is ${build.behindMinutes} min older than the newest source change; ` +
				'it measures the build (FORCE_BUILD=1 rebuilds)'
		);
	}
	if (!fs.existsSync(chromiumPath())) {
		const reason = `no Chromium at ${chromiumPath()} (set CHROMIUM_PATH)`;
		if (SMOKE) return skip(reason);
		throw new Error(reason);
	}

	let tmp: TempRoot | undefined;
	let server: AppServer | undefined;
	let launched: LaunchedBrowser | undefined;
	try {
		tmp = tempRoot('day-view');
		server = await startAppServer(tmp.sub('data'));
		launched = await launchChromium();
		const context = await launched.browser.newContext({
			baseURL: server.url,
			viewport: { width: 1600, height: 1200 }
		});
		await context.addInitScript(PROBE);
		const page = await context.newPage();
		const t0 = performance.now();
		const ids = await openDenseDemo(page);
		log(
			`day-view: dense demo open with ${ids.length} appointments in ${(performance.now() - t0).toFixed(0)} ms`
		);
		// Two seconds after the first paint the schedule opens the past year's months (no-show
		// counts); the measurements are of that steady state, not of the minutes before it.
		await page.waitForTimeout(HISTORY_DELAY_MS);
		await settle(page);
		const day = await dayContext(page);
		log(`day-view: today is ${day.weekday}; ${day.openConflicts} open conflicts in the loaded window`);

		const switches: Sample[] = [];
		for (let i = 0; i < SIZES.warmups + SIZES.switches; i++) {
			const s = await switchDay(page);
			if (i < SIZES.warmups) log(`switch-day warm-up ${i + 1}: ${s.frame.toFixed(1)} ms`);
			else switches.push(s);
		}

		const target = await moveTarget(page);
		const edits: Sample[] = [];
		for (let i = 0; i < SIZES.warmups + SIZES.edits; i++) {
			// Down one slot, then back: the block stays among free slots at the end of the day.
			const s = await localEdit(page, target, i % 2 === 0 ? 'ArrowDown' : 'ArrowUp');
			if (i < SIZES.warmups) log(`local-edit warm-up ${i + 1}: ${s.frame.toFixed(1)} ms`);
			else edits.push(s);
		}

		// Interleaved with nothing else and after the edits, so both see the same page and heap.
		const floors: Sample[] = [];
		for (let i = 0; i < SIZES.warmups + SIZES.edits; i++) {
			const s = await localEditFloor(page, target);
			if (i >= SIZES.warmups) floors.push(s);
		}
		// And on a page with nothing else on it: Chromium's own share on this machine.
		const blank = await context.newPage();
		await blank.setContent(
			'<div data-appointment-id="blank" style="position:absolute;top:10px;left:10px"><button>Block</button></div>'
		);
		await blank.addScriptTag({ content: PROBE });
		const blankFloors: Sample[] = [];
		for (let i = 0; i < SIZES.warmups + SIZES.edits; i++) {
			const s = await localEditFloor(blank, 'blank');
			if (i >= SIZES.warmups) blankFloors.push(s);
		}
		await blank.close();

		const colds: Sample[] = [];
		for (let i = 0; i < SIZES.colds; i++) colds.push(await coldOpen(page, ids));

		const cases: Case[] = [
			{
				key: 'switch-day',
				label: 'day view: switch to a 5×40 day',
				samples: switches,
				target: TARGETS.switchDay,
				high: 'p95',
				what: 'from the day before today, click "Next day" → 200 blocks with names painted'
			},
			{
				key: 'local-edit',
				label: 'day view: local edit to paint (keyboard move)',
				samples: edits,
				target: TARGETS.localEdit,
				high: 'p95',
				what: 'M, arrow, Enter on a block of the 5×40 day: Enter keydown → the block at its new place painted'
			},
			{
				key: 'local-edit-floor',
				label: 'day view: local edit floor (no app code: one block moved by hand)',
				samples: floors,

				high: 'p95',
				what:
					'the same block, page and probe, but an F8 keydown that the app never sees moves the block 1 px ' +
					'by hand: what the browser alone needs from the key to the painted frame'
			},
			{
				key: 'local-edit-floor',
				label: 'day view: local edit floor on a blank page',
				samples: blankFloors,
				high: 'p95',
				what:
					'the same F8 move by hand of the only element on an otherwise empty page (same browser, probe ' +
					'and settling): input delivery and one frame, nothing of the day view'
			},
			{
				key: 'cold-open',
				label: 'day view: cold open, unlock to a 5×40 day',
				samples: colds,
				target: TARGETS.coldOpen,
				high: 'max',
				what:
					'reload, lock screen: click Unlock → 200 blocks with names painted (PBKDF2, keys, then the last ' +
					'session’s sealed copy of today; the live day follows, see the next metric)'
			}
		];
		const dayNote = `today ${day.weekday}, ${day.openConflicts} open conflicts`;
		for (const c of cases) report(c, dayNote);
		const lives = colds.flatMap((s) => (s.live === undefined ? [] : [s.live]));
		if (lives.length > 0) {
			log(`cold-open, until live: ${lives.map((f) => f.toFixed(1)).join(' ')} ms`);
			emit({
				name: 'day view: cold open, unlock to the live 5×40 day, median',
				unit: 'ms',
				value: round1(median(lives)),
				notes:
					'click Unlock → the schedule shows the documents’ contents (no longer the last session’s ' +
					`sealed copy of today, which paints first); ${lives.length} samples; ${dayNote}`
			});
		}

		if (PROFILE_DIR) {
			fs.mkdirSync(PROFILE_DIR, { recursive: true });
			await profileCase(launched, page, PROFILE_DIR, 'switch-day', () => switchDay(page));
			let n = 0;
			await profileCase(launched, page, PROFILE_DIR, 'local-edit', () =>
				localEdit(page, target, n++ % 2 === 0 ? 'ArrowDown' : 'ArrowUp')
			);
			await profileCase(launched, page, PROFILE_DIR, 'cold-open', () => coldOpen(page, ids));
			log(`\nprofiles and traces in ${PROFILE_DIR}`);
		}
		await context.close();
	} finally {
		await launched?.close();
		await server?.proc.stop();
		await tmp?.dispose();
	}
}

await main();
