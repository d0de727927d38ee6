/**
 * Patient search steps of `bench/large-clinic.bench.ts`: what a person at the desk types, waiting
 * until the index is in use, typing at a typist's pace, summarising the keystrokes, and the whole
 * search case (`searchPart`).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { Patient } from '../../src/lib/domain/patients/schemas';
import { Rng } from '../../src/lib/domain/demo/rng';
import type { RelayIdentityForTests } from '../../tests/integration/support/relay';
import { emit, log, SMOKE } from '../lib';
import type { KeystrokeRecord } from './clinic-probe';
import { profiled, quiet, settle } from './clinic-steps';
import {
	DEMO_SEED,
	extraPatientDocs,
	startClinicServer,
	storeDocs,
	type ClinicDocs,
	type ClinicServer
} from './large-clinic';
import { diagnoseSearch } from './search-diagnosis';
import { searchFloor } from './search-floor';
import { sleep } from './processes';

export const SEARCH_INPUT = 'input[type="search"]';
/** A typist's pace: ~8 keys per second. */
export const KEY_DELAY_MS = 120;

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export type Kind = 'name' | 'typo' | 'dob' | 'phone' | 'mrn';

function usDate(iso: string): string {
	const [y, m, d] = iso.split('-');
	return `${Number(m)}/${Number(d)}/${y}`;
}

/** What a person at the desk types to find `p` (as in search.bench.ts). */
function query(rng: Rng, p: Patient): { kind: Kind; text: string } {
	const family = p.familyName.toLowerCase();
	const given = p.givenName.toLowerCase();
	switch (rng.int(0, 5)) {
		case 0:
			return { kind: 'name', text: `${family} ${given}` };
		case 1:
			return { kind: 'name', text: `${given} ${family}` };
		case 2: {
			const i = rng.int(1, family.length - 2);
			return { kind: 'typo', text: `${family.slice(0, i)}${family.slice(i + 1)} ${given.slice(0, 4)}` };
		}
		case 3:
			return { kind: 'dob', text: usDate(p.dateOfBirth) };
		case 4:
			return { kind: 'phone', text: p.phones[0]?.number ?? p.mrn };
		default:
			return { kind: 'mrn', text: p.mrn };
	}
}

/** A keystroke's times, what was being typed, and the how-manieth character of the query it was. */
export type Keystroke = KeystrokeRecord & { kind: Kind; position: number };

/** p95 of keydown → next frame start for each group of keystrokes, for the notes. */
export function breakdown(records: readonly Keystroke[], groupOf: (r: Keystroke) => string): string {
	const groups = new Map<string, number[]>();
	for (const r of records) {
		if (!Number.isFinite(r.processed)) continue;
		const g = groupOf(r);
		groups.set(g, [...(groups.get(g) ?? []), r.processed - r.t0]);
	}
	return [...groups]
		.map(
			([g, v]) =>
				`${g} ${v.length}× p50 ${percentile(v, 50).toFixed(0)} / p95 ${percentile(v, 95).toFixed(0)} ms`
		)
		.join(', ');
}

/** Waits until the list holds `total` patients and the index answers (a typo'd name finds someone). */
export async function searchReady(
	page: Page,
	total: number,
	probe: Patient,
	timeoutMs: number
): Promise<void> {
	const input = page.locator(SEARCH_INPUT);
	const count = page.locator('p.count');
	await count.filter({ hasText: new RegExp(`of ${total} patients`) }).waitFor({ timeout: timeoutMs });
	const family = probe.familyName.toLowerCase();
	const typo = `${family.slice(0, 2)}${family.slice(3)} ${probe.givenName.toLowerCase()}`;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await input.fill('');
		await input.fill(typo);
		const text = (await count.textContent()) ?? '';
		if (!text.startsWith('0 of')) break;
		if (Date.now() > deadline) throw new Error('the patient index never answered a typo');
		await sleep(500);
	}
	await input.fill('');
	await settle(page);
}

export async function typeQueries(
	page: Page,
	patients: readonly Patient[],
	sessions: number
): Promise<{ records: Keystroke[]; typed: string[] }> {
	const rng = new Rng(DEMO_SEED, 77);
	const input = page.locator(SEARCH_INPUT);
	const records: Keystroke[] = [];
	const typed: string[] = [];
	for (let s = 0; s < sessions; s++) {
		const { kind, text } = query(rng, rng.pick(patients));
		await input.fill('');
		await settle(page);
		await input.focus();
		await page.keyboard.type(text, { delay: KEY_DELAY_MS });
		await settle(page);
		const log = await page.evaluate(() => window.__clinicBench.takeSearchLog());
		records.push(...log.map((r, i) => ({ ...r, kind, position: i + 1 })));
		typed.push(kind);
	}
	return { records, typed };
}

/** The `p`th percentile of keydown → end of the next frame, one decimal. */
function frameTimes(records: readonly Keystroke[], p: number): string {
	return percentile(
		records.filter((r) => Number.isFinite(r.frame)).map((r) => r.frame - r.t0),
		p
	).toFixed(1);
}

export interface SearchPart {
	server: ClinicServer;
	dataDir: string;
	identity: RelayIdentityForTests;
	clinic: ClinicDocs;
	/** Workstation B, online. */
	page: Page;
	browser: Browser;
	/** Patients in all once the extra ones are in. */
	patients: number;
	sessions: number;
	targetP95: number;
	/** CPU profile, trace and heap sampling of the typing go here. */
	profileDir?: string;
	/** The server was restarted (to be stopped at the end). */
	restarted(server: ClinicServer): void;
	report(label: string, values: number[], ps: number[], target: Record<number, number>, notes: string): void;
}

/**
 * The search case of `large-clinic.bench.ts`: the extra patients go into the server's store while
 * it is stopped, as for the clinic; B's sync client reconnects to the restarted server and fetches
 * them (an import made elsewhere); then queries are typed on B's Patients page.
 */
export async function searchPart(o: SearchPart): Promise<void> {
	const tExtra = performance.now();
	const extra = extraPatientDocs(o.clinic, o.patients);
	const extraBuilt = performance.now() - tExtra;
	const port = Number(new URL(o.server.url).port);
	if (extra.docs.size > 0) {
		await o.server.proc.stop();
		await storeDocs(o.dataDir, extra.docs);
		o.restarted(await startClinicServer({ dataDir: o.dataDir, identity: o.identity, port }));
	}
	const total = o.clinic.patients + extra.added;
	log(
		`search: ${extra.added} more patients built in ${extraBuilt.toFixed(0)} ms, in the store and the ` +
			`server restarted after ${(performance.now() - tExtra).toFixed(0)} ms`
	);
	const tList = performance.now();
	const page = o.page;
	await page.getByRole('link', { name: 'Patients' }).click();
	const everyone = extra.everyone;
	await searchReady(page, total, everyone[0]!, 300_000);
	const catchUpMs = performance.now() - tList;
	log(`search: B shows ${total} patients and its index answers after ${catchUpMs.toFixed(0)} ms`);
	if (extra.added > 0)
		emit({
			name: `large clinic: ${extra.added} patients arriving by sync, until searchable`,
			unit: 'ms',
			value: Math.round(catchUpMs),
			notes: `${extra.added} patients written elsewhere (into the server's store; the server restarted), B online on Patients: B's sync client reconnects, receives, stores and indexes them; until the list shows ${total} and a typo finds a patient`
		});
	await page.evaluate((sel) => window.__clinicBench.recordSearch(sel), SEARCH_INPUT);
	await quiet(page, 'search');
	const heapB = await page.evaluate(() => window.__clinicBench.heap());
	const { records } = await typeQueries(page, everyone, o.sessions);
	const frames = records.filter((r) => Number.isFinite(r.frame)).map((r) => r.frame - r.t0);
	const work = records.filter((r) => Number.isFinite(r.processed)).map((r) => r.processed - r.t0);
	const searchNotes =
		`${records.length} keystrokes in ${o.sessions} typed queries over ${total} patients (B, online, ` +
		`JS heap ${(heapB / 1e6).toFixed(0)} MB), ${KEY_DELAY_MS} ms apart; to the next frame's start by kind: ` +
		`${breakdown(records, (r) => r.kind)}; by position in the query: ` +
		`${breakdown(records, (r) => (r.position <= 2 ? 'keys 1–2' : r.position <= 5 ? 'keys 3–5' : 'keys 6+'))}`;
	o.report(
		'large clinic: search keystroke → frame with results',
		frames,
		[50, 95],
		{ 95: o.targetP95 },
		`keydown timeStamp → end of the next frame (includes waiting for that frame, up to 16.7 ms); ${searchNotes}`
	);
	o.report(
		'large clinic: search keystroke → next frame starts',
		work,
		[50, 95],
		{ 95: o.targetP95 },
		`keydown timeStamp → the next frame's requestAnimationFrame callback (search and DOM update done; style, layout, paint not yet); ${searchNotes}`
	);
	// The same queries again once the catch-up's garbage is collected (a full GC through CDP, as V8's
	// memory reducer does after some seconds of quiet): the typing's own cost, apart from that debt.
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('HeapProfiler.collectGarbage');
	await cdp.detach();
	await quiet(page, 'search, settled heap');
	const heapSettled = await page.evaluate(() => window.__clinicBench.heap());
	const settled = (await typeQueries(page, everyone, o.sessions)).records;
	o.report(
		'large clinic: search keystroke → next frame starts, settled heap',
		settled.filter((r) => Number.isFinite(r.processed)).map((r) => r.processed - r.t0),
		[50, 95],
		{ 95: o.targetP95 },
		`the same ${o.sessions} queries typed again after a full garbage collection (CDP HeapProfiler.collectGarbage; ` +
			`JS heap ${(heapSettled / 1e6).toFixed(0)} MB) and 2 s of quiet; to the end of that frame p50 / p95 ` +
			`${frameTimes(settled, 50)} / ${frameTimes(settled, 95)} ms; by kind: ${breakdown(settled, (r) => r.kind)}`
	);
	// The browser's own share: the same typing on a static page that changes one text node, or all
	// rows, per key (search-floor.ts).
	const floor = await searchFloor(o.browser, SMOKE ? 1 : 2);
	for (const [variant, { work: w, frames: f }] of Object.entries(floor))
		o.report(
			`large clinic: search keystroke floor, static page, ${variant} → next frame starts`,
			w,
			[50, 95],
			{},
			`no app: a static page with the app's stylesheet and a results table of ${variant.startsWith('15') ? 15 : 30} rows, ` +
				`typed into as above, whose input listener changes ${variant === 'one text node' ? 'only the count' : "every row's 5 cells and link"}; ` +
				`to the end of that frame p50 / p95 ${percentile(f, 50).toFixed(1)} / ${percentile(f, 95).toFixed(1)} ms`
		);
	if (o.profileDir) {
		fs.mkdirSync(o.profileDir, { recursive: true });
		await profiled(page, path.join(o.profileDir, 'search-B.cpuprofile'), () =>
			typeQueries(page, everyone, 2)
		);
		await diagnoseSearch(o.browser, page, everyone, o.profileDir);
	}
}
