import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { AuditRow, ChainVerdictRow } from '$lib/domain/security/audit-rows';
import AuditLogView from './AuditLogView.svelte';

const HASH = 'b'.repeat(64);
const patientId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

function row(seq: number, over: Partial<AuditRow> = {}): AuditRow {
	return {
		seq,
		at: `2026-11-28T10:0${seq}:00.000Z`,
		userId: 'u-1',
		deviceId: 'ws-0123456789ab',
		action: 'view',
		prev: HASH,
		hash: HASH,
		chainId: 'c-0123456789ab',
		...over
	};
}

const chain = { deviceId: 'ws-0123456789ab', chainId: 'c-0123456789ab' };

function html(rows: AuditRow[], verdicts: ChainVerdictRow[]): string {
	return render(AuditLogView, {
		props: { rows, verdicts, userNames: { 'u-1': 'Dana Ortiz' }, timeZone: 'UTC' }
	}).body;
}

describe('AuditLogView (server render)', () => {
	const rows = [
		row(0, { action: 'login' }),
		row(1, { recordType: 'patient', recordId: patientId }),
		row(2, { action: 'break-glass', userId: 'u-gone', recordType: 'patient', recordId: patientId })
	];

	it('lists entries with display names, labelled filters and a table a screen reader can navigate', () => {
		const out = html(rows, [{ ...chain, verdict: { ok: true, length: 3, head: HASH } }]);
		expect(out).toMatch(/<caption[^>]*>Audit entries matching the filters, newest first<\/caption>/);
		expect(out.match(/<th scope="col">/g)?.length).toBeGreaterThanOrEqual(6);
		for (const name of ['User', 'Patient or record id', 'Action', 'From', 'To']) {
			expect(out).toMatch(new RegExp(`<label[^>]*>\\s*${name}`));
		}
		expect(out).toContain('Dana Ortiz');
		expect(out).toContain('u-gone'); // a user no longer in the keyring still shows, by id
		expect(out).toContain('3 of 3 entries');
		expect(out).toContain('All 1 chains are intact.');
		expect(out).not.toContain('role="alert"');
		// Newest first.
		expect(out.indexOf('Emergency access</td>')).toBeLessThan(out.indexOf('Logged in</td>'));
	});

	it('names the first broken entry of a chain as an alert, and lists emergency access', () => {
		const out = html(rows, [
			{
				...chain,
				verdict: { ok: false, index: 2, seq: 2, problem: 'edited', message: 'Entry was changed' }
			},
			{ deviceId: 'ws-ba9876543210', chainId: 'c-ba9876543210', verdict: { ok: true, length: 4, head: HASH } }
		]);
		expect(out).toMatch(/role="alert"[^>]*>\s*1 of 2 chains failed the check/);
		expect(out).toContain('Entry 2 (position 3): changed after it was written.');
		expect(out).toContain('1 intact chains');
		expect(out).toContain('Emergency access, newest first (1)');
	});

	it('says so when nothing was recorded', () => {
		const out = html([], []);
		expect(out).toContain('No entries match these filters.');
		expect(out).toContain('No emergency access has been recorded.');
		expect(out).toContain('No logs to check yet.');
	});
});
