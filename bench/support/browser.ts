/**
 * The built app and a browser for benchmarks that measure the UI: the app server (the relay from
 * `build/server/main.js`, serving `build/app` as `npm start` does) under a guard, and Debian's
 * Chromium launched by Playwright with the e2e tests' options (playwright.config.ts), watched by a
 * reaper (reaper.ts) so that neither outlives a benchmark that is killed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
	chromium,
	type Browser,
	type BrowserServer,
	type CDPSession,
	type LaunchOptions
} from '@playwright/test';
import playwrightConfig from '../../playwright.config';
import { ROOT, spawnGuarded, type Guarded } from './processes';

export const APP_DIR = path.join(ROOT, 'build/app');
const OUTPUTS = ['build/app/index.html', 'build/server/main.js'].map((p) => path.join(ROOT, p));
/** What scripts/start.mjs compares the build against. */
const INPUTS = ['src', 'sync-server', 'static', 'package.json', 'svelte.config.js', 'vite.config.ts'];

export interface BuildState {
	built: boolean;
	/** Sources changed after the build: the numbers describe the build, not the working tree. */
	stale: boolean;
	/** Minutes between the build and the newest source change (0 when not stale). */
	behindMinutes: number;
}

function newestMtime(p: string): number {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let newest = st.mtimeMs;
	for (const entry of fs.readdirSync(p)) {
		if (entry.endsWith('.test.ts')) continue;
		newest = Math.max(newest, newestMtime(path.join(p, entry)));
	}
	return newest;
}

export function buildState(): BuildState {
	const builtAt = Math.min(...OUTPUTS.map((p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0)));
	if (builtAt === 0) return { built: false, stale: true, behindMinutes: 0 };
	const sourcesAt = Math.max(...INPUTS.map((p) => newestMtime(path.join(ROOT, p))));
	const behind = Math.max(0, sourcesAt - builtAt);
	return { built: true, stale: behind > 0, behindMinutes: Math.round(behind / 60_000) };
}

/** `npm run build`, its output on stderr (stdout carries the benchmark's results). */
export function buildApp(): void {
	const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
	if (r.status !== 0) throw new Error(`npm run build failed (${r.signal ?? `exit ${r.status}`})`);
}

export interface AppServer {
	url: string;
	proc: Guarded;
}

/** The built app and relay on a free loopback port, with its data in `dataDir`. */
export async function startAppServer(dataDir: string): Promise<AppServer> {
	const proc = await spawnGuarded([process.execPath, path.join(ROOT, 'build/server/main.js')], {
		PATH: process.env.PATH ?? '',
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		APP_DIR,
		RELAY_JWT_SECRET: randomBytes(32).toString('base64url'),
		CLINIC_ID: randomUUID(),
		LOG_LEVEL: 'warn'
	});
	try {
		const m = await proc.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/, 20_000);
		return { url: m[1]!, proc };
	} catch (e) {
		await proc.stop();
		throw e;
	}
}

export function chromiumPath(): string {
	return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export interface LaunchedBrowser {
	browser: Browser;
	close(): Promise<void>;
}

/**
 * Chromium, headless, with the e2e tests' launch arguments. Launched as a Playwright browser server
 * (the same launch and default flags as `chromium.launch`) because that exposes the browser's pid,
 * which the reaper needs.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
	const configured: LaunchOptions = playwrightConfig.use?.launchOptions ?? {};
	const server: BrowserServer = await chromium.launchServer({
		...configured,
		executablePath: chromiumPath(),
		headless: true
	});
	const pid = server.process().pid;
	const reaper = spawn(
		process.execPath,
		['--import', 'tsx', path.join(ROOT, 'bench/support/reaper.ts'), String(pid)],
		{
			cwd: ROOT,
			env: { PATH: process.env.PATH ?? '' },
			stdio: ['pipe', 'ignore', 'inherit']
		}
	);
	reaper.stdin.on('error', () => undefined);
	const reaperExited = new Promise<void>((resolve) => reaper.once('exit', () => resolve()));
	let browser: Browser;
	try {
		browser = await chromium.connect(server.wsEndpoint());
	} catch (e) {
		await server.close();
		reaper.stdin.destroy();
		throw e;
	}
	return {
		browser,
		async close() {
			await browser.close().catch(() => undefined);
			await server.close().catch(() => undefined);
			reaper.stdin.destroy();
			await reaperExited;
		}
	};
}

// ---------------------------------------------------------------------------------------------------
// CPU profiles (Chrome DevTools Protocol), summarised by function for a report.

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
	hitCount?: number;
	children?: number[];
}
export interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples?: number[];
	timeDeltas?: number[];
}

/** Starts the V8 sampler in the page; the returned function stops it and returns the profile. */
export async function startProfiler(cdp: CDPSession, intervalUs = 100): Promise<() => Promise<CpuProfile>> {
	await cdp.send('Profiler.enable');
	await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
	await cdp.send('Profiler.start');
	return async () => {
		const { profile } = await cdp.send('Profiler.stop');
		await cdp.send('Profiler.disable');
		return profile as CpuProfile;
	};
}

export interface ProfileRow {
	/** `name (file:line:col)`; minified names are what the built bundle calls them. */
	fn: string;
	selfMs: number;
	totalMs: number;
}

function frameLabel(f: ProfileNode['callFrame']): string {
	const file = f.url ? f.url.replace(/^.*\/_app\/immutable\//, '') : '';
	const name = f.functionName || '(anonymous)';
	return file ? `${name} (${file}:${f.lineNumber + 1}:${f.columnNumber + 1})` : name;
}

/**
 * Self and total time per function (a recursive function's total counted once per sample), from
 * the samples inside `spans` if given (µs on the browser's monotonic clock, which V8's profiles and
 * Chromium's traces share); the `limit` largest by self time and by total time.
 */
export function summariseProfile(
	profile: CpuProfile,
	limit = 15,
	spans?: readonly { from: number; to: number }[]
): { sampledMs: number; bySelf: ProfileRow[]; byTotal: ProfileRow[] } {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map<string, number>();
	const total = new Map<string, number>();
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	let t = profile.startTime;
	let sampledUs = 0;
	for (let i = 0; i < samples.length; i++) {
		t += deltas[i] ?? 0;
		// A sample's weight is the gap to the next one (the sampler's actual interval).
		const weight = (deltas[i + 1] ?? 0) / 1000;
		if (spans && !spans.some((w) => t >= w.from && t <= w.to)) continue;
		const node = byId.get(samples[i]!);
		if (!node) continue;
		const label = frameLabel(node.callFrame);
		if (label === '(idle)' || label === '(program)') continue;
		sampledUs += weight * 1000;
		self.set(label, (self.get(label) ?? 0) + weight);
		const seen = new Set<string>();
		for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
			const l = frameLabel(byId.get(id)!.callFrame);
			if (l === '(root)' || seen.has(l)) continue;
			seen.add(l);
			total.set(l, (total.get(l) ?? 0) + weight);
		}
	}
	const rows = [...new Set([...self.keys(), ...total.keys()])].map((fn) => ({
		fn,
		selfMs: self.get(fn) ?? 0,
		totalMs: total.get(fn) ?? 0
	}));
	const top = (key: 'selfMs' | 'totalMs') => [...rows].sort((a, b) => b[key] - a[key]).slice(0, limit);
	return { sampledMs: sampledUs / 1000, bySelf: top('selfMs'), byTotal: top('totalMs') };
}

// ---------------------------------------------------------------------------------------------------
// Chromium traces: where the renderer's main thread spent the time between two user-timing marks.

/** What the DevTools performance panel records, plus user timing (the benchmark's own marks). */
export const TRACE_CATEGORIES = [
	'devtools.timeline',
	'disabled-by-default-devtools.timeline',
	'blink.user_timing',
	'toplevel',
	'v8'
];

export interface TraceEvent {
	name: string;
	cat: string;
	ph: string;
	ts: number;
	dur?: number;
	/** Thread (CPU) time of a complete event, when the trace has it. */
	tdur?: number;
	pid: number;
	tid: number;
	id?: string;
	id2?: { local?: string; global?: string };
	args?: Record<string, unknown> & { name?: string; data?: Record<string, unknown> };
}

/**
 * Self time by event name (style recalculation, layout, paint, script, GC…) on the main thread of
 * the renderer that recorded the `measure` user-timing measures, summed over every such measure's
 * span. Self time: an event's duration minus that of the events nested in it; an event that only
 * partly overlaps a span counts in proportion. Also how long the main thread was busy in the spans
 * (outermost tasks), by the clock and in CPU time: on a loaded machine the CPU time is the better
 * measure of the work itself.
 */
export function summariseTrace(
	trace: { traceEvents: TraceEvent[] } | TraceEvent[],
	measure: string,
	limit = 15
): {
	spans: { pid: number; from: number; to: number }[];
	spanMs: number;
	busyMs: number;
	cpuMs: number;
	byName: { name: string; selfMs: number }[];
} {
	const events = Array.isArray(trace) ? trace : trace.traceEvents;
	const starts = new Map<string, TraceEvent>();
	const spans: { pid: number; from: number; to: number }[] = [];
	for (const e of events) {
		if (e.cat !== 'blink.user_timing' || e.name !== measure) continue;
		const key = `${e.pid}:${e.id ?? e.id2?.local ?? e.id2?.global ?? ''}`;
		if (e.ph === 'b') starts.set(key, e);
		else if (e.ph === 'e') {
			const b = starts.get(key);
			if (b) spans.push({ pid: e.pid, from: b.ts, to: e.ts });
		}
	}
	const mainThreads = new Set(
		events
			.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
			.map((e) => `${e.pid}:${e.tid}`)
	);
	const self = new Map<string, number>();
	let busyUs = 0;
	let cpuUs = 0;
	for (const pid of new Set(spans.map((s) => s.pid))) {
		const mine = spans.filter((s) => s.pid === pid);
		const complete = events
			.filter(
				(e) => e.ph === 'X' && e.pid === pid && mainThreads.has(`${e.pid}:${e.tid}`) && e.dur !== undefined
			)
			.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
		const stack: { e: TraceEvent; childUs: number; outermost: boolean }[] = [];
		const close = (entry: { e: TraceEvent; childUs: number; outermost: boolean }) => {
			const { e, childUs } = entry;
			const end = e.ts + e.dur!;
			const selfUs = Math.max(0, e.dur! - childUs);
			let overlap = 0;
			for (const s of mine) overlap += Math.max(0, Math.min(end, s.to) - Math.max(e.ts, s.from));
			if (overlap > 0 && e.dur! > 0) {
				self.set(e.name, (self.get(e.name) ?? 0) + (selfUs * overlap) / e.dur! / 1000);
				if (entry.outermost) {
					busyUs += overlap;
					cpuUs += ((e.tdur ?? e.dur!) * overlap) / e.dur!;
				}
			}
		};
		for (const e of complete) {
			while (stack.length && stack[stack.length - 1]!.e.ts + stack[stack.length - 1]!.e.dur! <= e.ts) {
				close(stack.pop()!);
			}
			const top = stack[stack.length - 1];
			if (top) top.childUs += e.dur!;
			stack.push({ e, childUs: 0, outermost: !top });
		}
		while (stack.length) close(stack.pop()!);
	}
	const byName = [...self]
		.map(([name, selfMs]) => ({ name, selfMs }))
		.sort((a, b) => b.selfMs - a.selfMs)
		.slice(0, limit);
	const spanMs = spans.reduce((sum, s) => sum + (s.to - s.from) / 1000, 0);
	return { spans, spanMs, busyMs: busyUs / 1000, cpuMs: cpuUs / 1000, byName };
}
