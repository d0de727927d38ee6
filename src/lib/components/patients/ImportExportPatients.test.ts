import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import ExportPatients from './ExportPatients.svelte';
import ImportPatients from './ImportPatients.svelte';

describe('ImportPatients (server render)', () => {
	it('starts with a labelled file chooser and the size limit, and no alert', () => {
		const out = render(ImportPatients, {
			props: { today: '2026-11-16', existingMrns: ['MRN-000001'], onimport: async () => {} }
		}).body;
		expect(out).toMatch(/<label[^>]*>\s*Patient file \(CSV, or a FHIR R4 Bundle as JSON; up to 20 MB\)/);
		expect(out).toMatch(/<input[^>]*type="file"[^>]*accept="[^"]*\.csv[^"]*\.json/);
		expect(out).not.toContain('role="alert"');
		expect(out).not.toContain('role="progressbar"');
	});

	it('says the limit it is given', () => {
		const out = render(ImportPatients, {
			props: { today: '2026-11-16', maxBytes: 5 * 1024 * 1024, onimport: async () => {} }
		}).body;
		expect(out).toContain('up to 5 MB');
	});
});

describe('ExportPatients (server render)', () => {
	it('offers both exports, described, and disables them when there is nothing to export', () => {
		const out = render(ExportPatients, { props: { patients: [], onexport: () => {} } }).body;
		expect(out).toMatch(/<button[^>]*disabled[^>]*>\s*Export CSV\s*<\/button>/);
		expect(out).toMatch(/<button[^>]*disabled[^>]*>\s*Export FHIR Bundle\s*<\/button>/);
		expect(out).toContain('0 patients.');
		expect(out).toMatch(/aria-describedby="[^"]+-hint"/);
		expect(out).not.toContain('role="alert"');
	});
});
