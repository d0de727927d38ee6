/**
 * Patient search steps of `bench/large-clinic.bench.ts`: what a person at the desk types, waiting
 * until the index is in use, typing at a typist's pace, and summarising the keystrokes.
 */
import type { Page } from '@playwright/test';
import type { Patient } from '../../src/lib/domain/patients/schemas';
import { Rng } from '../../src/lib/domain/demo/rng';
import type { KeystrokeRecord } from './clinic-probe';
import { settle } from './clinic-steps';
import { DEMO_SEED } from './large-clinic';
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
