import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { Appointment, AppointmentStatus } from '$lib/domain';
import type { Conflict } from '$lib/domain/schedule/conflicts';
import { schedule } from '$lib/state';
import AgendaList from './AgendaList.svelte';
import ConflictList from './ConflictList.svelte';
import FlowBoard from './FlowBoard.svelte';
import MonthView from './MonthView.svelte';
import WaitlistOffer from './WaitlistOffer.svelte';
import WaitlistPanel from './WaitlistPanel.svelte';
import {
	agendaFilter,
	bookedByDay,
	describeConflict,
	durationText,
	flowActions,
	flowColumn,
	groupByDate,
	minutesSince,
	monthTitle,
	monthWeeks,
	moveInGrid,
	openConflictsByDay,
	openWaitlist,
	preferenceText,
	slotQueryFor,
	waitedText,
	waitLevel,
	weekdaysText
} from './views';
import { appointment, appointmentType, at, id, provider, STAMP, TZ, useTestWorkspace } from './test-fixtures';

describe('dates', () => {
	it('writes month titles', () => {
		expect(monthTitle('2026-12-17')).toBe('December 2026');
	});
});

describe('month view', () => {
	it('lays out six weeks from the Sunday before the 1st', () => {
		const weeks = monthWeeks('2026-11-29');
		expect(weeks).toHaveLength(6);
		expect(weeks[0]).toEqual([
			'2026-11-29',
			'2026-11-30',
			'2026-12-01',
			'2026-12-02',
			'2026-12-03',
			'2026-12-04',
			'2026-12-05'
		]);
		expect(weeks[5]![6]).toBe('2027-01-09');
	});

	it('counts slot-holding bookings per provider and local day', () => {
		const m = bookedByDay(
			[
				{ start: at('2026-12-01T09:00'), providerId: 'p1', status: 'booked' },
				{ start: at('2026-12-01T23:30'), providerId: 'p1', status: 'completed' },
				{ start: at('2026-12-01T10:00'), providerId: 'p2', status: 'arrived' },
				{ start: at('2026-12-01T11:00'), providerId: 'p2', status: 'cancelled' },
				{ start: at('2026-12-01T11:00'), providerId: 'p2', status: 'no-show' },
				{ start: at('2026-12-01T11:00'), providerId: 'p2', status: 'rescheduled' },
				{ start: at('2026-12-02T08:00'), providerId: 'p1', status: 'confirmed' }
			],
			TZ
		);
		// 23:30 local is already the 2nd in UTC: the local day counts.
		expect(Object.fromEntries(m.get('2026-12-01')!)).toEqual({ p1: 2, p2: 1 });
		expect(Object.fromEntries(m.get('2026-12-02')!)).toEqual({ p1: 1 });
	});

	it('counts open conflicts only', () => {
		const m = openConflictsByDay(
			[
				{ start: at('2026-12-01T09:00'), resolved: false },
				{ start: at('2026-12-01T10:00'), resolved: true },
				{ start: at('2026-12-03T10:00'), resolved: false }
			],
			TZ
		);
		expect([...m]).toEqual([
			['2026-12-01', 1],
			['2026-12-03', 1]
		]);
	});

	it('moves with the arrow keys inside the grid', () => {
		const from = '2026-11-29';
		const to = '2027-01-10';
		expect(moveInGrid('2026-12-01', 'ArrowRight', from, to)).toBe('2026-12-02');
		expect(moveInGrid('2026-12-01', 'ArrowDown', from, to)).toBe('2026-12-08');
		expect(moveInGrid('2026-12-01', 'ArrowUp', from, to)).toBe(from);
		expect(moveInGrid('2027-01-08', 'ArrowDown', from, to)).toBe('2027-01-09');
		expect(moveInGrid('2026-12-02', 'Home', from, to)).toBe('2026-11-29');
		expect(moveInGrid('2026-12-02', 'End', from, to)).toBe('2026-12-05');
		expect(moveInGrid('2026-12-02', 'a', from, to)).toBeNull();
	});
});

describe('agenda', () => {
	it('groups by local date and filters', () => {
		const list = [
			{ id: 'a', start: at('2026-12-01T09:00'), providerId: 'p1', status: 'booked' as AppointmentStatus },
			{ id: 'b', start: at('2026-12-01T20:00'), providerId: 'p2', status: 'cancelled' as AppointmentStatus },
			{ id: 'c', start: at('2026-12-03T08:00'), providerId: 'p1', status: 'rescheduled' as AppointmentStatus }
		];
		expect(groupByDate(list, TZ).map((g) => [g.date, g.items.map((i) => i.id)])).toEqual([
			['2026-12-01', ['a', 'b']],
			['2026-12-03', ['c']]
		]);
		expect(agendaFilter(list, { hideCancelled: true }).map((a) => a.id)).toEqual(['a']);
		expect(agendaFilter(list, { providerId: 'p1', hideCancelled: false }).map((a) => a.id)).toEqual([
			'a',
			'c'
		]);
	});
});

describe('flow board', () => {
	it('puts each status in a column with its next steps', () => {
		expect(flowColumn('confirmed')).toBe('expected');
		expect(flowColumn('arrived')).toBe('waiting');
		expect(flowColumn('no-show')).toBe('missed');
		expect(flowColumn('rescheduled')).toBeNull();
		expect(flowActions('booked').map((a) => a.status)).toEqual(['arrived', 'no-show']);
		expect(flowActions('arrived').map((a) => a.label)).toEqual(['Room', 'Done']);
		expect(flowActions('in-room').map((a) => a.status)).toEqual(['completed']);
		expect(flowActions('completed')).toEqual([]);
	});

	it('measures waiting time and flags long waits', () => {
		const now = Date.parse('2026-12-01T15:00:00.000Z');
		expect(minutesSince('2026-12-01T14:44:30.000Z', now)).toBe(15);
		expect(minutesSince(undefined, now)).toBe(0);
		expect(minutesSince('2026-12-01T15:05:00.000Z', now)).toBe(0);
		expect(waitLevel(15)).toBe('ok');
		expect(waitLevel(16)).toBe('long');
		expect(waitLevel(30)).toBe('long');
		expect(waitLevel(31)).toBe('too-long');
		expect(durationText(7)).toBe('7 min');
		expect(durationText(65)).toBe('1 h 05 min');
	});
});

describe('conflicts', () => {
	const base: Conflict = {
		id: 'c1',
		kind: 'provider-overlap',
		appointmentIds: ['a', 'b'],
		resourceId: 'p1',
		start: at('2026-12-01T09:00'),
		end: at('2026-12-01T09:30'),
		resolved: false
	};
	const words = {
		timeZone: TZ,
		providerName: (id: string) => (id === 'p1' ? 'Dr. Ada Vell' : '?'),
		roomName: (id: string) => (id === 'r1' ? 'Room 2' : '?')
	};

	it('says what each kind of conflict is', () => {
		expect(describeConflict(base, words)).toBe('Dr. Ada Vell is double-booked Tue Dec 1, 9:00–9:30 AM');
		expect(describeConflict({ ...base, kind: 'room-overlap', resourceId: 'r1' }, words)).toBe(
			'Room 2 is double-booked Tue Dec 1, 9:00–9:30 AM'
		);
		expect(describeConflict({ ...base, kind: 'outside-hours', appointmentIds: ['a'] }, words)).toBe(
			'Outside working hours: Dr. Ada Vell, Tue Dec 1, 9:00–9:30 AM'
		);
		expect(describeConflict({ ...base, kind: 'over-break', appointmentIds: ['a'] }, words)).toBe(
			'During a break: Dr. Ada Vell, Tue Dec 1, 9:00–9:30 AM'
		);
		expect(
			describeConflict(
				{ ...base, kind: 'max-per-day', appointmentIds: ['a', 'b', 'c'] },
				{ ...words, type: { name: 'New patient', maxPerDay: 2 } }
			)
		).toBe('Over the daily maximum of 2 New patient: Dr. Ada Vell has 3 on Tue Dec 1');
	});
});

describe('waitlist', () => {
	it('puts preferences in words', () => {
		expect(weekdaysText([])).toBe('any day');
		expect(weekdaysText([5, 1, 2, 3, 4])).toBe('weekdays');
		expect(weekdaysText([3, 1])).toBe('Mon, Wed');
		expect(preferenceText({ weekdays: [], timeOfDay: 'any' })).toBe('Any day, any time');
		expect(
			preferenceText({ weekdays: [1, 3], timeOfDay: 'morning', earliest: '2026-12-03' }, '2026-12-01')
		).toBe('Mornings · Mon, Wed · not before Thu Dec 3');
		// A date already passed says nothing.
		expect(
			preferenceText({ weekdays: [], timeOfDay: 'afternoon', earliest: '2026-11-03' }, '2026-12-01')
		).toBe('Afternoons · any day');
	});

	it('says how long someone has waited', () => {
		expect(waitedText(at('2026-12-01T08:00'), '2026-12-01', TZ)).toBe('today');
		expect(waitedText(at('2026-11-30T23:00'), '2026-12-01', TZ)).toBe('yesterday');
		expect(waitedText(at('2026-11-26T08:00'), '2026-12-01', TZ)).toBe('5 days');
		expect(waitedText(at('2026-11-01T08:00'), '2026-12-01', TZ)).toBe('4 weeks');
	});

	it('lists open entries urgent first, then oldest', () => {
		const e = (id: string, status: string, priority: string, createdAt: string, deletedAt?: string) =>
			({ id, status, priority, createdAt, deletedAt }) as Parameters<typeof openWaitlist>[0][number] & {
				id: string;
			};
		const list = openWaitlist([
			e('old', 'waiting', 'normal', '2026-11-01T00:00:00.000Z'),
			e('new', 'offered', 'normal', '2026-11-20T00:00:00.000Z'),
			e('urgent', 'waiting', 'urgent', '2026-11-25T00:00:00.000Z'),
			e('booked', 'booked', 'urgent', '2026-10-01T00:00:00.000Z'),
			e('gone', 'waiting', 'urgent', '2026-10-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')
		]);
		expect(list.map((x) => x.id)).toEqual(['urgent', 'old', 'new']);
	});

	it('builds the slot search from the preferences', () => {
		const now = '2026-12-01T15:00:00.000Z';
		expect(slotQueryFor({ typeId: 't', weekdays: [], timeOfDay: 'any' }, now, TZ)).toEqual({
			typeId: 't',
			providerIds: undefined,
			from: now,
			until: undefined,
			timeOfDay: undefined,
			weekdays: undefined,
			limit: 5
		});
		const q = slotQueryFor(
			{ typeId: 't', providerId: 'p1', weekdays: [2], timeOfDay: 'morning', earliest: '2026-12-10' },
			now,
			TZ,
			'2026-12-20T15:00:00.000Z'
		);
		expect(q).toMatchObject({
			providerIds: ['p1'],
			from: at('2026-12-10T00:00'),
			until: '2026-12-20T15:00:00.000Z',
			timeOfDay: 'morning',
			weekdays: [2]
		});
	});
});

// -------------------------------------------------------------------------------------------------
// The components, rendered on the server over a schedule set by hand (no documents opened).

describe('schedule views (server render)', () => {
	const P1 = '00000000-0000-4000-8000-0000000000a1';
	const P2 = '00000000-0000-4000-8000-0000000000a2';
	const T1 = '00000000-0000-4000-8000-0000000000b1';
	const appt = (n: number, start: string, over: Partial<Appointment> = {}): Appointment =>
		appointment({
			id: id(n),
			patientId: id(100 + n),
			providerId: P1,
			typeId: T1,
			start: at(start),
			end: new Date(Date.parse(at(start)) + 30 * 60_000).toISOString(),
			reason: 'Follow-up',
			...over
		});

	useTestWorkspace(() => ({
		providers: [provider(P1, 'Ada Vell'), provider(P2, 'Bo Tran', { color: '#1a7f5a' })],
		appointmentTypes: [appointmentType(T1)]
	}));

	it('month: a table of days with counts per provider, conflicts and today marked', () => {
		schedule.day = '2026-12-01';
		schedule.from = '2026-11-29';
		schedule.to = '2027-01-10';
		schedule.appointments = [
			appt(1, '2026-12-01T09:00'),
			appt(2, '2026-12-01T09:00', { providerId: P2 }),
			appt(3, '2026-12-01T10:00', { status: 'cancelled', cancelReason: 'Sick' })
		];
		schedule.conflicts = [];
		const body = render(MonthView, { props: { onday: () => {} } }).body;
		expect(body.match(/<th scope="col"/g)).toHaveLength(7);
		expect(body.match(/data-testid="month-day"/g)).toHaveLength(42);
		expect(body).toContain('aria-label="Tuesday, December 1, 2026, 2 appointments, Ada Vell 1, Bo Tran 1"');
		// One tab stop in the grid: the anchor day.
		expect(body.match(/tabindex="0"/g)).toHaveLength(1);
		expect(body).toMatch(/data-date="2026-12-01"[^>]*tabindex="0"/);
	});

	it('agenda: rows grouped under a heading per date, cancelled hidden', () => {
		schedule.from = '2026-12-01';
		schedule.to = '2026-12-15';
		schedule.appointments = [
			appt(1, '2026-12-01T09:00'),
			appt(2, '2026-12-03T09:00', { status: 'cancelled', cancelReason: 'Sick' }),
			appt(3, '2026-12-03T11:00')
		];
		const body = render(AgendaList, { props: { onopen: () => {} } }).body;
		expect(body.match(/<h2 /g)).toHaveLength(2);
		expect(body).toContain('Tuesday, December 1, 2026');
		expect(body.match(/data-testid="agenda-row"/g)).toHaveLength(2);
		expect(body).toContain('(1 not shown)');
	});

	it('flow board: columns by status with the waiting time of arrived patients', () => {
		const arrivedAt = new Date(Date.now() - 20 * 60_000).toISOString();
		schedule.appointments = [
			appt(1, '2026-12-01T09:00', { status: 'arrived', arrivedAt }),
			appt(2, '2026-12-01T09:30'),
			appt(3, '2026-12-01T08:00', { status: 'no-show' })
		];
		const body = render(FlowBoard, { props: {} }).body;
		expect(body.match(/data-testid="flow-row"/g)).toHaveLength(3);
		expect(body).toMatch(/class="wait wait-long[^"]*" data-testid="waiting-time">\s*Waiting 20 min/);
		expect(body).toMatch(/<details[^>]*>\s*<summary[^>]*><h2 id="flow-missed"/);
	});

	it('conflicts: an empty state naming the window, then cards for open conflicts', () => {
		schedule.from = '2026-11-24';
		schedule.to = '2027-03-02';
		schedule.conflicts = [];
		expect(render(ConflictList, { props: { onopen: () => {} } }).body).toContain(
			'No conflicts in the schedule from Tue Nov 24 to Mon Mar 1.'
		);
		schedule.conflicts = [
			{
				id: id(50),
				kind: 'provider-overlap',
				appointmentIds: [id(1), id(2)],
				resourceId: P1,
				start: at('2026-12-01T09:00'),
				end: at('2026-12-01T09:30'),
				resolved: false
			}
		];
		const body = render(ConflictList, { props: { onopen: () => {} } }).body;
		expect(body.match(/data-testid="conflict-item"/g)).toHaveLength(1);
		expect(body).toContain('Ada Vell is double-booked Tue Dec 1, 9:00–9:30 AM');
	});

	it('waitlist: the panel lists waiting entries with their preferences; no offer, no banner', () => {
		schedule.waitlist = [
			{
				id: id(60),
				createdAt: STAMP,
				updatedAt: STAMP,
				patientId: id(160),
				typeId: T1,
				weekdays: [1, 3],
				timeOfDay: 'morning',
				priority: 'urgent',
				note: '',
				status: 'waiting'
			}
		];
		const body = render(WaitlistPanel, { props: {} }).body;
		expect(body.match(/data-testid="waitlist-entry"/g)).toHaveLength(1);
		expect(body).toContain('Any provider · Mornings · Mon, Wed');
		expect(body).toContain('Urgent');
		schedule.offer = null;
		expect(render(WaitlistOffer, { props: {} }).body).not.toContain('waitlist-offer');
	});
});
