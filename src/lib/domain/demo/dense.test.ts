import { describe, expect, it } from 'vitest';
import { localDate } from '../common/time';
import { detectConflicts } from '../schedule/conflicts';
import { DEMO_PRESETS, generateDemoClinic } from './generate';
import { withDenseDay } from './dense';

describe('the dense-day demo', () => {
	const base = generateDemoClinic({ seed: 7, today: '2026-12-02', ...DEMO_PRESETS.small, patients: 120 });
	const dense = withDenseDay(base, '2026-12-02');
	const tz = base.clinic.timeZone;

	it('packs 40 visits per provider into the day, without overlaps, and leaves other days alone', () => {
		const onDay = dense.appointments.filter((a) => localDate(a.start, tz) === '2026-12-02');
		expect(onDay).toHaveLength(base.providers.length * 40);
		for (const p of base.providers) expect(onDay.filter((a) => a.providerId === p.id)).toHaveLength(40);
		expect(detectConflicts(onDay)).toEqual([]);
		const otherDays = (list: typeof base.appointments) =>
			list.filter((a) => localDate(a.start, tz) !== '2026-12-02').map((a) => a.id);
		expect(otherDays(dense.appointments)).toEqual(otherDays(base.appointments));
		expect(new Set(dense.appointments.map((a) => a.id)).size).toBe(dense.appointments.length);
	});
});
