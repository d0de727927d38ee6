import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import NewerDataBanner from './NewerDataBanner.svelte';

const html = (count: number) => render(NewerDataBanner, { props: { count, onreload: () => {} } }).body;

describe('NewerDataBanner (server render)', () => {
	it('says nothing while every document is readable', () => {
		expect(html(0)).not.toContain('newer-data-banner');
	});

	it('tells the person, as an alert, that records are missing here and offers the update', () => {
		const out = html(2);
		expect(out).toMatch(/role="alert"/);
		expect(out).toContain('newer version of ClinicDesk');
		expect(out).toContain('may be missing entries');
		expect(out).toMatch(/<button[^>]*>Reload to update<\/button>/);
	});
});
