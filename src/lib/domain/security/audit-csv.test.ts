import { describe, expect, it } from 'vitest';
import { auditCsv, csvField, filterAudit } from './audit-csv';
import type { AuditRow } from './audit-rows';

const patientA = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const patientB = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const HASH = 'a'.repeat(64);

function row(over: Partial<AuditRow>): AuditRow {
	return {
		seq: 0,
		at: '2026-11-28T10:00:00.000Z',
		userId: 'user-a',
		deviceId: 'ws-0123456789ab',
		action: 'view',
		prev: HASH,
		hash: HASH,
		chainId: 'c-0123456789ab',
		...over
	};
}

describe('auditCsv', () => {
	it('writes the header and one CRLF-terminated line per row, in order', () => {
		const csv = auditCsv([
			row({ seq: 0, action: 'login' }),
			row({ seq: 1, recordType: 'patient', recordId: patientA })
		]);
		expect(csv).toBe(
			'time,user,device,action,record type,record id,chain,seq\r\n' +
				'2026-11-28T10:00:00.000Z,user-a,ws-0123456789ab,login,,,c-0123456789ab,0\r\n' +
				`2026-11-28T10:00:00.000Z,user-a,ws-0123456789ab,view,patient,${patientA},c-0123456789ab,1\r\n`
		);
		expect(auditCsv([])).toBe('time,user,device,action,record type,record id,chain,seq\r\n');
	});

	it('quotes fields holding a comma, quote, CR or LF, doubling quotes', () => {
		expect(csvField('plain')).toBe('plain');
		expect(csvField('a,b')).toBe('"a,b"');
		expect(csvField('say "hi"')).toBe('"say ""hi"""');
		expect(csvField('two\nlines')).toBe('"two\nlines"');
		expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
		expect(auditCsv([row({ userId: 'smith, j' })]).split('\r\n')[1]).toContain(',"smith, j",');
	});

	it('turns anything a spreadsheet would run as a formula into text', () => {
		for (const start of ['=', '+', '-', '@', '\t', '\r']) {
			expect(csvField(`${start}HYPERLINK("http://x")`).replace(/^"/, '')).toMatch(/^'/);
		}
		expect(csvField('=1+1')).toBe("'=1+1");
		expect(csvField('=A1,B1')).toBe(`"'=A1,B1"`);
		expect(csvField('\rx')).toBe(`"'\rx"`);
		expect(csvField('a=b')).toBe('a=b');
		expect(auditCsv([row({ userId: '@SUM(A1)' })]).split('\r\n')[1]).toContain(",'@SUM(A1),");
	});
});

describe('filterAudit', () => {
	const rows = [
		row({ seq: 0, at: '2026-11-27T23:30:00.000Z', action: 'login' }),
		row({ seq: 1, at: '2026-11-28T02:00:00.000Z', recordType: 'patient', recordId: patientA }),
		row({
			seq: 2,
			at: '2026-11-28T15:00:00.000Z',
			userId: 'user-b',
			recordType: 'patient',
			recordId: patientB
		}),
		row({ seq: 3, at: '2026-11-29T00:00:00.000Z', userId: 'user-b', action: 'break-glass' })
	];
	const seqs = (f: Parameters<typeof filterAudit>[1]) => filterAudit(rows, f).map((r) => r.seq);

	it('returns everything for an empty filter, including empty form values', () => {
		expect(seqs({})).toEqual([0, 1, 2, 3]);
		expect(seqs({ userId: '', recordId: '  ', action: '', from: '', to: '' })).toEqual([0, 1, 2, 3]);
	});

	it('filters by user, action and record id (whole, or its start in any case)', () => {
		expect(seqs({ userId: 'user-b' })).toEqual([2, 3]);
		expect(seqs({ action: 'break-glass' })).toEqual([3]);
		expect(seqs({ recordId: patientA })).toEqual([1]);
		expect(seqs({ recordId: ' A0B1C2 ' })).toEqual([2]);
		expect(seqs({ userId: 'user-a', recordId: patientB })).toEqual([]);
	});

	it('keeps both ends of the date range, on the UTC date by default', () => {
		expect(seqs({ from: '2026-11-28', to: '2026-11-28' })).toEqual([1, 2]);
		expect(seqs({ from: '2026-11-28' })).toEqual([1, 2, 3]);
		expect(seqs({ to: '2026-11-28' })).toEqual([0, 1, 2]);
		expect(seqs({ from: '2026-11-29', to: '2026-11-28' })).toEqual([]);
	});

	it('compares calendar days in the zone the times are shown in', () => {
		// In Chicago (UTC-6 in November) 23:30Z on the 27th and 02:00Z on the 28th are both the 27th.
		expect(seqs({ from: '2026-11-27', to: '2026-11-27', timeZone: 'America/Chicago' })).toEqual([0, 1]);
		expect(seqs({ from: '2026-11-28', to: '2026-11-28', timeZone: 'America/Chicago' })).toEqual([2, 3]);
	});

	it('refuses a date that is not yyyy-mm-dd rather than filtering on nonsense', () => {
		expect(() => filterAudit(rows, { from: '28/11/2026' })).toThrow();
	});
});
