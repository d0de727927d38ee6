/**
 * Where a search keystroke's time goes on workstation B (LARGE_CLINIC_PROFILE): a Chromium trace
 * with V8's GC events and a sampling heap profile of the same typing, summarised on stdout, the raw
 * files written to the profile directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { Patient } from '../../src/lib/domain/patients/schemas';
import { log } from '../lib';
import { summariseTrace, TRACE_CATEGORIES } from './browser';
import { percentile, typeQueries } from './clinic-search';
import { slowestKeys } from './search-keys';

interface GcEvent {
	name: string;
	ph: string;
	ts: number;
	dur?: number;
	pid: number;
	tid: number;
	args?: Record<string, unknown> & { data?: Record<string, unknown> };
}

interface SamplingNode {
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
	selfSize: number;
	children: SamplingNode[];
}

const TYPING = 'clinicdesk:large-clinic:typing';

export async function diagnoseSearch(
	browser: Browser,
	page: Page,
	patients: readonly Patient[],
	dir: string
): Promise<void> {
	const memory = () =>
		page.evaluate(() => {
			const m = (performance as unknown as { memory?: Record<string, number> }).memory;
			return {
				used: m?.usedJSHeapSize ?? NaN,
				total: m?.totalJSHeapSize ?? NaN,
				limit: m?.jsHeapSizeLimit ?? NaN,
				nodes: document.getElementsByTagName('*').length
			};
		});
	// The trace first, undisturbed: starting the heap sampler forces a full, non-incremental GC.
	const before = await memory();
	const tracePath = path.join(dir, 'search-B.trace.json');
	await browser.startTracing(page, {
		path: tracePath,
		categories: [...TRACE_CATEGORIES, 'disabled-by-default-v8.gc', 'input', 'blink']
	});
	await page.evaluate((m) => performance.mark(`${m}:start`), TYPING);
	// Enough keys that the one-in-twenty slow ones are among them.
	const { records } = await typeQueries(page, patients, 10);
	await page.evaluate((m) => performance.measure(m, `${m}:start`), TYPING);
	await browser.stopTracing();
	const after = await memory();

	const cdp = await page.context().newCDPSession(page);
	await cdp.send('HeapProfiler.enable');
	await cdp.send('HeapProfiler.startSampling', {
		samplingInterval: 16_384,
		includeObjectsCollectedByMajorGC: true,
		includeObjectsCollectedByMinorGC: true
	});
	const sampled = await typeQueries(page, patients, 3);
	const { profile } = (await cdp.send('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
	await cdp.detach().catch(() => undefined);
	fs.writeFileSync(path.join(dir, 'search-B.heapprofile'), JSON.stringify(profile));

	const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
	log(
		`\nsearch diagnosis: ${records.length} keystrokes; heap before ${mb(before.used)} (limit ${mb(before.limit)}, ` +
			`${before.nodes} elements), after ${mb(after.used)} (${after.nodes} elements)`
	);
	const trace = JSON.parse(fs.readFileSync(tracePath, 'utf8')) as { traceEvents: GcEvent[] };
	for (const measure of [TYPING, 'clinicdesk:large-clinic:keystroke']) {
		const t = summariseTrace(trace as Parameters<typeof summariseTrace>[0], measure, 25);
		log(
			`  ${measure}: ${t.spans.length} spans, ${t.spanMs.toFixed(0)} ms; main thread busy ${t.busyMs.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)} ms); self time by event:`
		);
		for (const r of t.byName) log(`    ${r.selfMs.toFixed(1).padStart(8)} ms  ${r.name}`);
	}
	const slow = slowestKeys(trace as Parameters<typeof slowestKeys>[0], records, 8);
	if (!slow.aligned) log("  (the trace's keystroke measures do not match the records: no per-key view)");
	const ms = records.map((r) => r.processed - r.t0).filter(Number.isFinite);
	log(
		`  keydown → next frame starts in the traced typing: p50 ${percentile(ms, 50).toFixed(1)} / p95 ${percentile(ms, 95).toFixed(1)} ms`
	);
	for (const k of slow.reports) {
		log(
			`  key ${JSON.stringify(k.key.key)} (${k.key.kind}, #${k.key.position}, "${k.key.count}"): ${k.ms.toFixed(1)} ms; tasks from the keydown:`
		);
		for (const line of k.lines) log(`    ${line}`);
	}
	// GC events on the page's main thread, and what V8 said about each major one.
	const pid = trace.traceEvents.find((e) => e.name === 'TracingStartedInBrowser')?.pid;
	const main = new Set(
		trace.traceEvents
			.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
			.map((e) => `${e.pid}:${e.tid}`)
	);
	const gcs = trace.traceEvents.filter(
		(e) => /gc|scaveng|mark|sweep|compact/i.test(e.name) && e.dur !== undefined && e.ph === 'X'
	);
	const byName = new Map<string, { n: number; ms: number; max: number; mainMs: number }>();
	for (const e of gcs) {
		const row = byName.get(e.name) ?? { n: 0, ms: 0, max: 0, mainMs: 0 };
		row.n += 1;
		row.ms += e.dur! / 1000;
		row.max = Math.max(row.max, e.dur! / 1000);
		if (main.has(`${e.pid}:${e.tid}`)) row.mainMs += e.dur! / 1000;
		byName.set(e.name, row);
	}
	log(`  GC events (any thread; main-thread ms in brackets), browser pid ${pid ?? '?'}:`);
	for (const [name, r] of [...byName].sort((x, y) => y[1].ms - x[1].ms).slice(0, 25))
		log(
			`    ${r.ms.toFixed(1).padStart(8)} ms (${r.mainMs.toFixed(1)}) ${String(r.n).padStart(4)}× max ${r.max.toFixed(1)} ms  ${name}`
		);
	const majors = gcs.filter(
		(e) => e.name === 'MajorGC' || e.name === 'V8.GCCompactor' || e.name === 'V8.GCFinalizeMC'
	);
	for (const e of majors.slice(0, 12))
		log(`    ${e.name} ${(e.dur! / 1000).toFixed(1)} ms ${JSON.stringify(e.args ?? {}).slice(0, 300)}`);

	// What allocated during the typing (sampled; includes what the GC already collected).
	const sites = new Map<string, number>();
	const walk = (n: SamplingNode, stack: string[]) => {
		const f = n.callFrame;
		const here = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
		if (n.selfSize > 0) {
			const key = [here, ...stack.slice(-3).reverse()].join(' ← ');
			sites.set(key, (sites.get(key) ?? 0) + n.selfSize);
		}
		for (const c of n.children) walk(c, [...stack, here]);
	};
	walk(profile.head, []);
	const totalAlloc = [...sites.values()].reduce((s, v) => s + v, 0);
	log(
		`  allocated while typing ${sampled.records.length} more keys (sampled): ${mb(totalAlloc)}; top sites:`
	);
	for (const [site, bytes] of [...sites].sort((x, y) => y[1] - x[1]).slice(0, 25))
		log(`    ${(bytes / 1e6).toFixed(1).padStart(7)} MB  ${site}`);
}
