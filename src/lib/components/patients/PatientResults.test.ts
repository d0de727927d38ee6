import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { generateDemoClinic } from '$lib/domain/demo';
import PatientResults from './PatientResults.svelte';

const { patients } = generateDemoClinic({
	seed: 3,
	today: '2026-11-16',
	patients: 60,
	monthsBack: 0,
	monthsAhead: 0,
	fillRatio: 0
});
const props = { total: 60, today: '2026-11-16', onmore: () => {} };
const rowsIn = (html: string) => html.match(/<tr>/g)?.length ?? 0;

describe('PatientResults (server render)', () => {
	it('shows the page it is given, the count, and "Show more" when the search found more', () => {
		const out = render(PatientResults, { props: { ...props, rows: patients.slice(0, 50), more: true } }).body;
		// One header row and the 50.
		expect(rowsIn(out)).toBe(51);
		expect(out).toContain('50 of 60 patients shown');
		expect(out).toMatch(/<button[^>]*type="button"[^>]*>Show more<\/button>/);
		const first = patients[0]!;
		expect(out).toContain(`${first.familyName}, ${first.givenName}</a>`);
		expect(out).toContain(`href="/patients/${first.id}"`);
	});

	it('has no "Show more" when everything found is shown', () => {
		const out = render(PatientResults, { props: { ...props, rows: patients.slice(0, 7), more: false } }).body;
		expect(rowsIn(out)).toBe(8);
		expect(out).toContain('7 of 60 patients shown');
		expect(out).not.toContain('Show more');
	});
});
