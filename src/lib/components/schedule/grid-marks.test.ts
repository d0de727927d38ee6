import { describe, expect, it } from 'vitest';
import type { Conflict } from '$lib/domain/schedule/conflicts';
import { conflictTexts, initials, presenceByRecord } from './grid-marks';

describe('conflicts and presence', () => {
	it('names open conflicts per appointment and ignores resolved ones', () => {
		const c = (kind: Conflict['kind'], ids: string[], resolved = false): Conflict => ({
			id: `${kind}${ids.join()}`,
			kind,
			appointmentIds: ids,
			resourceId: 'r',
			start: '',
			end: '',
			resolved
		});
		const texts = conflictTexts([
			c('provider-overlap', ['a', 'b']),
			c('over-break', ['a']),
			c('room-overlap', ['c', 'd'], true)
		]);
		expect(texts.get('a')).toBe('Double-booked, Over a break');
		expect(texts.get('b')).toBe('Double-booked');
		expect(texts.has('c')).toBe(false);
	});

	it('badges colleagues who have an appointment open on the schedule', () => {
		const map = presenceByRecord([
			{
				clientId: 1,
				user: { name: 'Ann Lee', color: '#0f766e' },
				view: { screen: 'schedule', recordId: 'a' }
			},
			{ clientId: 2, user: { name: 'Bo', color: '#7c3aed' }, view: { screen: 'patients', recordId: 'a' } },
			{ clientId: 3, user: { name: 'Cy Di Ex', color: '#b45309' }, view: { screen: 'schedule' } }
		]);
		expect(map.get('a')).toEqual([{ key: 1, name: 'Ann Lee', color: '#0f766e', initials: 'AL' }]);
		expect(map.size).toBe(1);
		expect(initials('Bo')).toBe('BO');
		expect(initials('Cy Di Ex')).toBe('CE');
	});
});
