import { describe, expect, it } from 'vitest';
import { appointment, type Appointment } from './schemas';
import {
	appointmentSeries,
	cancelAll,
	cancelThisAndFollowing,
	cancelThisOne,
	editAll,
	editThisAndFollowing,
	editThisOne,
	occurrenceId,
	occurrences,
	planMaterialization,
	sha1,
	splitSeriesId,
	uuidV5,
	type AppointmentSeries,
	type SeriesChanges
} from './recurrence';

const TZ = 'America/Chicago';
const T0 = '2026-01-01T00:00:00.000Z';
const ids = {
	series: '11111111-1111-4111-8111-111111111111',
	provider: '22222222-2222-4222-8222-222222222222',
	provider2: '22222222-2222-4222-8222-333333333333',
	type: '33333333-3333-4333-8333-333333333333',
	patient: '44444444-4444-4444-8444-444444444444',
	room: '55555555-5555-4555-8555-555555555555'
};

function series(
	over: Partial<AppointmentSeries> & { rrule: string; date: string; time?: string }
): AppointmentSeries {
	const { date, time, ...rest } = over;
	return appointmentSeries.parse({
		id: ids.series,
		createdAt: T0,
		updatedAt: T0,
		dtstart: { date, time: time ?? '09:00', tz: TZ },
		durationMinutes: 30,
		providerId: ids.provider,
		typeId: ids.type,
		patientId: ids.patient,
		roomId: ids.room,
		...rest
	});
}

const starts = (s: AppointmentSeries, from: string, to: string) =>
	occurrences(s, from, to).map((o) => o.start);

/** Applies changes to in-memory state the way a caller would inside one transaction. */
function apply(
	state: { series: AppointmentSeries[]; appts: Appointment[] },
	c: SeriesChanges
): { series: AppointmentSeries[]; appts: Appointment[] } {
	const seriesById = new Map(state.series.map((s) => [s.id, s]));
	for (const u of c.seriesUpdates)
		seriesById.set(u.id, appointmentSeries.parse({ ...seriesById.get(u.id)!, ...u.patch }));
	for (const s of c.seriesInserts) seriesById.set(s.id, s);
	const apptById = new Map(state.appts.map((a) => [a.id, a]));
	for (const a of c.appointmentInserts) {
		expect(apptById.has(a.id!)).toBe(false);
		apptById.set(a.id!, appointment.parse(a));
	}
	for (const u of c.appointmentUpdates)
		apptById.set(u.id, appointment.parse({ ...apptById.get(u.id)!, ...u.patch }));
	return { series: [...seriesById.values()], appts: [...apptById.values()] };
}

describe('deterministic ids', () => {
	it('implements SHA-1 and RFC 9562 UUIDv5', () => {
		const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
		expect(hex(sha1(new TextEncoder().encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
		expect(hex(sha1(new Uint8Array(0)))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
		const long = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
		expect(hex(sha1(new TextEncoder().encode(long)))).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
		// The RFC 4122/9562 DNS namespace example.
		expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
			'2ed6657d-e927-568b-95e1-2665a8aea6a2'
		);
	});

	it('derives the same occurrence id on every call and a different one per key or series', () => {
		const a = occurrenceId(ids.series, '2026-03-02T09:00');
		expect(a).toBe(occurrenceId(ids.series, '2026-03-02T09:00'));
		expect(a).toBe(occurrenceId(ids.series.toUpperCase(), '2026-03-02T09:00'));
		expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(occurrenceId(ids.series, '2026-03-09T09:00')).not.toBe(a);
		expect(occurrenceId(ids.provider, '2026-03-02T09:00')).not.toBe(a);
		expect(splitSeriesId(ids.series, '2026-03-02T09:00')).not.toBe(a);
	});
});

describe('occurrences', () => {
	it('keeps a weekly 9:00 series at 9:00 Chicago time across the March change', () => {
		const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=4', date: '2026-03-02' });
		expect(starts(s, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([
			'2026-03-02T15:00:00.000Z', // CST, UTC-6
			'2026-03-09T14:00:00.000Z', // CDT, UTC-5 (DST began 8 March)
			'2026-03-16T14:00:00.000Z',
			'2026-03-23T14:00:00.000Z'
		]);
		expect(occurrences(s, '2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z').map((o) => o.key)).toEqual([
			'2026-03-02T09:00',
			'2026-03-09T09:00'
		]);
	});

	it('keeps it at 9:00 across the November change, with UNTIL in UTC', () => {
		const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20261106T000000Z', date: '2026-10-26' });
		expect(starts(s, '2026-10-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
			'2026-10-26T14:00:00.000Z',
			'2026-10-29T14:00:00.000Z',
			'2026-11-02T15:00:00.000Z', // CST again after 1 November
			'2026-11-05T15:00:00.000Z'
		]);
	});

	it('expands every other week and monthly rules', () => {
		const biweekly = series({ rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=3', date: '2026-01-06' });
		expect(occurrences(biweekly, T0, '2027-01-01T00:00:00Z').map((o) => o.key)).toEqual([
			'2026-01-06T09:00',
			'2026-01-20T09:00',
			'2026-02-03T09:00'
		]);
		const secondTuesday = series({
			rrule: 'FREQ=MONTHLY;BYDAY=2TU;COUNT=3',
			date: '2026-01-01',
			time: '14:30'
		});
		expect(occurrences(secondTuesday, T0, '2027-01-01T00:00:00Z').map((o) => o.key)).toEqual([
			'2026-01-13T14:30',
			'2026-02-10T14:30',
			'2026-03-10T14:30'
		]);
		const lastFriday = series({ rrule: 'FREQ=MONTHLY;BYDAY=-1FR;COUNT=2', date: '2026-01-01' });
		expect(occurrences(lastFriday, T0, '2027-01-01T00:00:00Z').map((o) => o.key)).toEqual([
			'2026-01-30T09:00',
			'2026-02-27T09:00'
		]);
		const fifteenth = series({ rrule: 'FREQ=MONTHLY;BYMONTHDAY=15;COUNT=2', date: '2026-02-20' });
		expect(occurrences(fifteenth, T0, '2027-01-01T00:00:00Z').map((o) => o.key)).toEqual([
			'2026-03-15T09:00',
			'2026-04-15T09:00'
		]);
	});

	it('limits to the window, applies exceptions and endedAt', () => {
		const s = series({
			rrule: 'FREQ=WEEKLY;BYDAY=MO',
			date: '2026-03-02',
			exceptions: {
				'2026-03-09T09:00': 'cancelled',
				'2026-03-16T09:00': { moved: { start: '2026-03-17T15:00:00.000Z', end: '2026-03-17T15:30:00.000Z' } }
			},
			endedAt: '2026-03-30T00:00:00.000Z'
		});
		const occ = occurrences(s, '2026-03-01T00:00:00Z', '2026-06-01T00:00:00Z');
		expect(occ.map((o) => [o.key, o.state, o.start])).toEqual([
			['2026-03-02T09:00', 'scheduled', '2026-03-02T15:00:00.000Z'],
			['2026-03-09T09:00', 'cancelled', '2026-03-09T14:00:00.000Z'],
			['2026-03-16T09:00', 'moved', '2026-03-17T15:00:00.000Z'],
			['2026-03-23T09:00', 'scheduled', '2026-03-23T14:00:00.000Z']
		]);
		expect(occ[2]!.originalStart).toBe('2026-03-16T14:00:00.000Z');
		expect(starts(s, '2026-03-10T00:00:00Z', '2026-03-20T00:00:00Z')).toEqual(['2026-03-17T15:00:00.000Z']);
	});

	it('accepts only supported rules', () => {
		const base = { date: '2026-03-02' };
		expect(() => series({ ...base, rrule: 'FREQ=DAILY' })).toThrow();
		expect(() => series({ ...base, rrule: 'FREQ=WEEKLY;COUNT=2;UNTIL=20260401T000000Z' })).toThrow();
		expect(() => series({ ...base, rrule: 'FREQ=WEEKLY;UNTIL=20260401' })).toThrow();
		expect(() => series({ ...base, rrule: 'FREQ=WEEKLY;BYHOUR=9' })).toThrow();
		expect(() => series({ ...base, rrule: 'FREQ=WEEKLY;BYDAY=XX' })).toThrow();
		expect(series({ ...base, rrule: 'RRULE:FREQ=WEEKLY;BYDAY=MO' }).rrule).toBe('RRULE:FREQ=WEEKLY;BYDAY=MO');
	});
});

describe('materialization', () => {
	const s = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO', date: '2026-03-02' });
	const now = '2026-03-01T12:00:00.000Z';

	it('plans the same inserts, with derived ids, on every workstation', () => {
		const a = planMaterialization(s, [], now, '2026-04-01T00:00:00Z', now);
		const b = planMaterialization(s, [], now, '2026-04-01T00:00:00Z', now);
		expect(a).toEqual(b);
		expect(a.appointmentInserts.map((x) => x.id)).toEqual(
			[
				'2026-03-02T09:00',
				'2026-03-09T09:00',
				'2026-03-16T09:00',
				'2026-03-23T09:00',
				'2026-03-30T09:00'
			].map((k) => occurrenceId(s.id, k))
		);
		const appts = apply({ series: [s], appts: [] }, a).appts;
		expect(appts.every((x) => x.seriesId === s.id && x.status === 'booked')).toBe(true);
		// Already materialized: nothing more to write.
		expect(planMaterialization(s, appts, now, '2026-04-01T00:00:00Z', now).appointmentInserts).toEqual([]);
	});

	it('skips cancelled occurrences and repairs appointments an exception disagrees with', () => {
		const appts = apply(
			{ series: [s], appts: [] },
			planMaterialization(s, [], now, '2026-03-20T00:00:00Z', now)
		).appts;
		const changed = appointmentSeries.parse({
			...s,
			exceptions: {
				'2026-03-09T09:00': 'cancelled',
				'2026-03-16T09:00': { moved: { start: '2026-03-16T20:00:00.000Z', end: '2026-03-16T20:30:00.000Z' } },
				'2026-03-23T09:00': 'cancelled'
			}
		});
		const plan = planMaterialization(changed, appts, now, '2026-03-30T00:00:00Z', now);
		expect(plan.appointmentInserts).toEqual([]);
		expect(plan.appointmentUpdates.map((u) => [u.id, u.patch.status ?? u.patch.start])).toEqual([
			[occurrenceId(s.id, '2026-03-09T09:00'), 'cancelled'],
			[occurrenceId(s.id, '2026-03-16T09:00'), '2026-03-16T20:00:00.000Z']
		]);
	});
});

describe('edits', () => {
	const now = '2026-03-01T12:00:00.000Z';
	const base = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO', date: '2026-02-02' });
	const window = '2026-04-01T00:00:00Z';
	// February's occurrences are in the past at `now`; March's are open.
	const initial = apply(
		{ series: [base], appts: [] },
		planMaterialization(base, [], '2026-02-01T00:00:00Z', window, '2026-01-15T00:00:00.000Z')
	);
	const find = (st: typeof initial, key: string, seriesId = base.id) =>
		st.appts.find((a) => a.id === occurrenceId(seriesId, key))!;

	it('moves or cancels one occurrence', () => {
		const slot = { start: '2026-03-10T15:00:00.000Z', end: '2026-03-10T15:30:00.000Z' };
		let st = apply(initial, editThisOne(base, '2026-03-09T09:00', slot, initial.appts, now));
		expect(find(st, '2026-03-09T09:00')).toMatchObject(slot);
		expect(st.series[0]!.exceptions['2026-03-09T09:00']).toEqual({ moved: slot });
		st = apply(st, cancelThisOne(st.series[0]!, '2026-03-16T09:00', 'Patient away', st.appts, now));
		expect(find(st, '2026-03-16T09:00')).toMatchObject({ status: 'cancelled', cancelReason: 'Patient away' });
		expect(Object.keys(st.series[0]!.exceptions).sort()).toEqual(['2026-03-09T09:00', '2026-03-16T09:00']);
		expect(() => cancelThisOne(base, '2026-03-10T09:00', 'x', [], now)).toThrow(RangeError);
	});

	it('splits for "this and following"', () => {
		const withMove = apply(
			initial,
			editThisOne(
				base,
				'2026-03-30T09:00',
				{ start: '2026-03-31T15:00:00.000Z', end: '2026-03-31T15:30:00.000Z' },
				initial.appts,
				now
			)
		);
		const c = editThisAndFollowing(
			withMove.series[0]!,
			'2026-03-16T09:00',
			{ providerId: ids.provider2 },
			withMove.appts,
			now
		);
		const st = apply(withMove, c);
		const [old, next] = [st.series.find((x) => x.id === base.id)!, st.series.find((x) => x.id !== base.id)!];
		expect(next.id).toBe(splitSeriesId(base.id, '2026-03-16T09:00'));
		// End of 15 March, Chicago (CDT) = 05:00Z on the 16th, less a second.
		expect(old.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;UNTIL=20260316T045959Z');
		expect(old.exceptions).toEqual({});
		expect(
			occurrences(old, T0, window)
				.map((o) => o.key)
				.at(-1)
		).toBe('2026-03-09T09:00');
		expect(next.dtstart).toEqual({ date: '2026-03-16', time: '09:00', tz: TZ });
		expect(next.providerId).toBe(ids.provider2);
		expect(Object.keys(next.exceptions)).toEqual(['2026-03-30T09:00']);
		expect(occurrences(next, T0, window).map((o) => o.key)).toEqual([
			'2026-03-16T09:00',
			'2026-03-23T09:00',
			'2026-03-30T09:00'
		]);
		for (const k of ['2026-03-16T09:00', '2026-03-23T09:00', '2026-03-30T09:00'])
			expect(find(st, k).status).toBe('rescheduled');
		expect(find(st, '2026-03-09T09:00').status).toBe('booked');
		// The new series materializes its own appointments.
		const plan = planMaterialization(next, st.appts, now, window, now);
		expect(plan.appointmentInserts.map((a) => a.providerId)).toEqual([
			ids.provider2,
			ids.provider2,
			ids.provider2
		]);
	});

	it('carries the remaining COUNT into the new series', () => {
		const counted = series({ rrule: 'FREQ=WEEKLY;BYDAY=MO;COUNT=6', date: '2026-03-02' });
		const c = editThisAndFollowing(counted, '2026-03-16T09:00', { time: '10:00' }, [], now);
		expect(c.seriesUpdates[0]!.patch.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;UNTIL=20260316T045959Z');
		const next = c.seriesInserts[0]!;
		expect(next.rrule).toBe('FREQ=WEEKLY;BYDAY=MO;COUNT=4');
		expect(starts(next, T0, '2027-01-01T00:00:00Z')).toHaveLength(4);
		expect(starts(next, T0, '2027-01-01T00:00:00Z')[0]).toBe('2026-03-16T15:00:00.000Z');
	});

	it('edits all: open future appointments follow, past ones stay', () => {
		const st = apply(initial, editAll(base, { time: '10:00', roomId: undefined }, initial.appts, now));
		const s = st.series[0]!;
		expect(s.dtstart.time).toBe('10:00');
		expect(s.roomId).toBeUndefined();
		expect(find(st, '2026-02-02T09:00').status).toBe('booked'); // past: untouched
		expect(find(st, '2026-03-02T09:00').status).toBe('rescheduled'); // the 9:00 slot no longer exists
		const plan = planMaterialization(s, st.appts, now, window, now);
		expect(plan.appointmentInserts.map((a) => a.start)[0]).toBe('2026-03-02T16:00:00.000Z');

		const st2 = apply(
			initial,
			editAll(base, { providerId: ids.provider2, durationMinutes: 45 }, initial.appts, now)
		);
		expect(find(st2, '2026-03-09T09:00')).toMatchObject({
			providerId: ids.provider2,
			status: 'booked',
			end: '2026-03-09T14:45:00.000Z'
		});
		expect(find(st2, '2026-02-23T09:00').providerId).toBe(ids.provider);
	});

	it('cancels this and following, or all from now', () => {
		let st = apply(
			initial,
			cancelThisAndFollowing(base, '2026-03-23T09:00', 'Discharged', initial.appts, now)
		);
		expect(find(st, '2026-03-16T09:00').status).toBe('booked');
		expect(find(st, '2026-03-23T09:00')).toMatchObject({ status: 'cancelled', cancelReason: 'Discharged' });
		expect(occurrences(st.series[0]!, T0, '2027-01-01T00:00:00Z').at(-1)!.key).toBe('2026-03-16T09:00');

		st = apply(initial, cancelAll(base, 'Moved away', initial.appts, now));
		expect(st.series[0]!.endedAt).toBe(now);
		expect(find(st, '2026-02-23T09:00').status).toBe('booked');
		expect(find(st, '2026-03-02T09:00').status).toBe('cancelled');
		expect(occurrences(st.series[0]!, now, '2027-01-01T00:00:00Z')).toEqual([]);
	});
});
