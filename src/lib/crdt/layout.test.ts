import { describe, expect, it } from 'vitest';
import { isDocName, monthsBetween, patientsDocFor, scheduleDoc, scopeOf } from './layout';

describe('document layout', () => {
	it('accepts only names built from fixed words, months, shards and device ids', () => {
		for (const ok of [
			'directory',
			'inventory',
			'schedule/2026-11',
			'patients/a',
			'patients/f-0123456789abcdef0123456789abcdef',
			'audit/ws-1234abcd-ef01/2026-11',
			'billing/2027-01'
		])
			expect(isDocName(ok), ok).toBe(true);
		for (const bad of [
			'patients/Smith',
			'schedule/2026-13',
			'schedule/2026-1',
			'patients/g',
			'patients/f-0123',
			'patients/f-0123456789ABCDEF0123456789ABCDEF',
			'clinical',
			'audit/x',
			'audit/ws-1234abcd-ef01',
			'audit/ws-1234abcd-ef01/2026-13',
			'../etc'
		])
			expect(isDocName(bad), bad).toBe(false);
	});

	it('puts a patient in the shard of the first hex digit of its id', () => {
		expect(patientsDocFor('C0FFEE00-0000-4000-8000-000000000000')).toBe('patients/c');
		expect(scopeOf(patientsDocFor('0a000000-0000-4000-8000-000000000000'))).toBe('patients');
	});

	it('throws rather than build a document name from free text', () => {
		expect(() => scheduleDoc('November')).toThrow();
	});

	it('lists every month a range touches, across a year end', () => {
		expect(monthsBetween('2026-12-31T23:00:00Z', '2027-01-01T06:00:00Z')).toEqual(['2026-12', '2027-01']);
		expect(monthsBetween('2026-11-02T06:00:00Z', '2026-11-03T06:00:00Z')).toEqual(['2026-11']);
		expect(monthsBetween('2026-10-15T00:00:00Z', '2027-02-01T00:00:00Z')).toHaveLength(5);
	});
});
