/**
 * What the browser alone costs a search keystroke on this machine: a static page with the app's
 * stylesheet and the results table's shape (the same columns and CSS; 30 or 15 rows), typed into with the
 * same probe, pace and mouse position as the app, where each keystroke's `input` listener either
 * changes one text node (the count) or replaces the text of every row (5 cells and the link's
 * href each, synthetic strings) — what a digit query does to the app's table on most keys. No
 * framework, no search, no sync. The app's number minus this floor is what the app can still win.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import { SMOKE } from '../lib';
import { CLINIC_PROBE } from './clinic-probe';
import { KEY_DELAY_MS, SEARCH_INPUT } from './clinic-search';
import { ROOT } from './processes';

export type FloorVariant = 'one text node' | '15 rows replaced' | '30 rows replaced';

/** Rows in the table and how many a keystroke rewrites. */
const SHAPE: Record<FloorVariant, { rows: number; replace: boolean }> = {
	'one text node': { rows: 30, replace: false },
	'15 rows replaced': { rows: 15, replace: true },
	'30 rows replaced': { rows: 30, replace: true }
};

function floorPage(variant: FloorVariant): string {
	const { rows, replace } = SHAPE[variant];
	const css = fs.readFileSync(path.join(ROOT, 'src/app.css'), 'utf8');
	const row = '<tr><td><a href="#p0">A, B</a></td><td>M</td><td>D</td><td>1</td><td>P</td></tr>';
	// Synthetic strings like the app's rows: "Family, Given", MRN, ISO date, age, payer.
	const script = `
const input = document.querySelector('input');
const count = document.querySelector('p.count').firstChild;
const rows = [...document.querySelectorAll('tbody tr')].map((r) => ({
	link: r.querySelector('a'),
	cells: [...r.children].map((c) => (c.firstElementChild ?? c).firstChild)
}));
const family = ['Smith', 'Johnson', 'Garcia', 'Nguyen', 'Okafor', 'Kowalski', 'Andersson', 'Rossi', 'Tanaka', 'Haddad', 'Novak', 'Silva'];
const given = ['John', 'Maria', 'Wei', 'Fatima', 'Olga', 'Luca', 'Aiko', 'Sam', 'Priya', 'Noah', 'Ivan', 'Lea'];
const payer = ['Blue Cross Blue Shield', 'Aetna', 'Medicare', 'Medicaid', 'Self-pay', 'United Healthcare', 'Cigna'];
let n = 1;
const next = () => (n = (n * 48271) % 2147483647);
input.addEventListener('input', () => {
	count.data = ROWS + ' of 50000 patients shown, ' + input.value.length;
	if (!REPLACE) return;
	for (const { link, cells } of rows) {
		link.setAttribute('href', '#p' + next());
		cells[0].data = family[next() % 12] + ', ' + given[next() % 12];
		cells[1].data = 'MRN-' + String(next() % 1000000).padStart(6, '0');
		cells[2].data = 1930 + (next() % 90) + '-0' + (1 + (next() % 9)) + '-1' + (next() % 9);
		cells[3].data = String(next() % 95);
		cells[4].data = payer[next() % 7];
	}
});`
		.replace('ROWS', String(rows))
		.replace('REPLACE', String(replace));
	return `<!doctype html><html lang="en"><head><title>floor</title><style>${css}
table { table-layout: fixed; } .name, .payer { width: 30%; } .age { width: 6%; }
</style></head><body><nav><a href="#top" id="nav">Patients</a></nav><main>
<h1>Patients</h1><label>Find a patient <input type="search"></label><p class="count">0</p>
<table><colgroup><col class="name" /><col /><col /><col class="age" /><col class="payer" /></colgroup>
<thead><tr><th>Name</th><th>MRN</th><th>Date of birth</th><th>Age</th><th>Primary insurance</th></tr></thead>
<tbody>${row.repeat(rows)}</tbody></table></main><script>${script}</script></body></html>`;
}

/** What the bench types: a name, a phone number, an MRN (the page ignores what it is). */
const TYPED = ['garcia maria', '(555) 013-2468', 'MRN-004213', '3/14/1987'];

/**
 * Keydown → next frame start and → end of that frame for each variant, typed in alternating rounds
 * (so that load on the machine falls on both alike).
 */
export async function searchFloor(
	browser: Browser,
	rounds: number
): Promise<Record<FloorVariant, { work: number[]; frames: number[] }>> {
	const context = await browser.newContext({ viewport: { width: 1600, height: 1200 } });
	await context.addInitScript(CLINIC_PROBE);
	const out: Record<FloorVariant, { work: number[]; frames: number[] }> = {
		'one text node': { work: [], frames: [] },
		'15 rows replaced': { work: [], frames: [] },
		'30 rows replaced': { work: [], frames: [] }
	};
	try {
		for (let r = 0; r < rounds; r++) {
			for (const variant of Object.keys(out) as FloorVariant[]) {
				const page = await context.newPage();
				await page.setContent(floorPage(variant));
				// The app's bench clicks the Patients link first: the pointer rests on the page, so
				// Chromium hit-tests it again after each layout, as there.
				await page.click('#nav');
				await page.evaluate((sel) => window.__clinicBench.recordSearch(sel), SEARCH_INPUT);
				for (const text of SMOKE ? TYPED.slice(0, 1) : TYPED) {
					await page.locator(SEARCH_INPUT).fill('');
					await page.waitForTimeout(SMOKE ? 50 : 300);
					await page.locator(SEARCH_INPUT).focus();
					await page.keyboard.type(text, { delay: KEY_DELAY_MS });
					await page.waitForTimeout(SMOKE ? 50 : 300);
				}
				for (const k of await page.evaluate(() => window.__clinicBench.takeSearchLog())) {
					if (Number.isFinite(k.processed)) out[variant].work.push(k.processed - k.t0);
					if (Number.isFinite(k.frame)) out[variant].frames.push(k.frame - k.t0);
				}
				await page.close();
			}
		}
	} finally {
		await context.close();
	}
	return out;
}
