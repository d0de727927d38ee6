import { render } from 'svelte/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appointment as appointmentSchema, type Appointment } from '$lib/domain';
import { schedule } from '$lib/state';
import AppointmentDialog from './AppointmentDialog.svelte';
import { rruleText } from '$lib/domain/schedule/recurrence';
import {
	applyEdit,
	bookingIssues,
	endFrom,
	errorMessages,
	historyText,
	isoToLocal,
	localTimeExists,
	localToIso,
	monthdayNote,
	NO_REPEAT,
	planEdit,
	previewStarts,
	recentNoShows,
	repeatIssue,
	repeatRule,
	slotWarnings,
	untilUtc,
	weekdayPositionLabel,
	type EditApi,
	type EditOp,
	type RepeatChoice
} from './booking';
import { appointmentType, canWrite, provider, room, TZ, useTestWorkspace } from './test-fixtures';

const ID = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const P1 = '00000000-0000-4000-8000-000000000001';
const P2 = '00000000-0000-4000-8000-000000000002';
const T1 = '00000000-0000-4000-8000-0000000000a1';
const T2 = '00000000-0000-4000-8000-0000000000a2';
const R1 = '00000000-0000-4000-8000-0000000000b1';
const S1 = '00000000-0000-4000-8000-0000000000c1';
const PAT = '00000000-0000-4000-8000-0000000000d1';

const repeat = (over: Partial<RepeatChoice>): RepeatChoice => ({ ...NO_REPEAT, ...over });

function appt(over: Partial<Appointment> = {}): Appointment {
	return appointmentSchema.parse({
		id: ID,
		createdAt: '2026-11-01T12:00:00.000Z',
		updatedAt: '2026-11-01T12:00:00.000Z',
		patientId: PAT,
		providerId: P1,
		typeId: T1,
		start: '2026-12-01T15:00:00.000Z',
		end: '2026-12-01T15:30:00.000Z',
		...over
	});
}

describe('clinic-local date and time', () => {
	it('converts on the day Chicago springs forward (2026-03-08)', () => {
		// 9:00 the day before is CST (UTC-6); 9:00 on the day is CDT (UTC-5).
		expect(localToIso('2026-03-07', '09:00', TZ)).toBe('2026-03-07T15:00:00.000Z');
		expect(localToIso('2026-03-08', '09:00', TZ)).toBe('2026-03-08T14:00:00.000Z');
		expect(localToIso('2026-03-08', '01:30', TZ)).toBe('2026-03-08T07:30:00.000Z');
		expect(isoToLocal('2026-03-08T14:00:00.000Z', TZ)).toEqual({ date: '2026-03-08', time: '09:00' });
		expect(isoToLocal('2026-03-08T05:59:00.000Z', TZ)).toEqual({ date: '2026-03-07', time: '23:59' });
	});

	it('ends an appointment after real minutes, across the skipped hour', () => {
		const start = localToIso('2026-03-08', '01:30', TZ)!;
		const end = endFrom(start, 60);
		expect(end).toBe('2026-03-08T08:30:00.000Z');
		expect(isoToLocal(end, TZ)).toEqual({ date: '2026-03-08', time: '03:30' });
		expect(endFrom(localToIso('2026-03-08', '09:00', TZ)!, 45)).toBe('2026-03-08T14:45:00.000Z');
	});

	it('knows the skipped hour does not exist', () => {
		expect(localTimeExists('2026-03-08', '02:30', TZ)).toBe(false);
		expect(localTimeExists('2026-03-08', '03:00', TZ)).toBe(true);
		expect(localTimeExists('2026-03-08', '09:00', TZ)).toBe(true);
	});

	it('refuses malformed input', () => {
		expect(localToIso('2026-3-8', '09:00', TZ)).toBeUndefined();
		expect(localToIso('2026-03-08', '9:00', TZ)).toBeUndefined();
		expect(localToIso('2026-03-08', '24:00', TZ)).toBeUndefined();
		expect(localToIso('', '', TZ)).toBeUndefined();
	});
});

describe('repeat → RRULE', () => {
	// 2026-12-08 is the 2nd Tuesday of December 2026.
	const start = '2026-12-08';

	it('builds weekly and every-N-weeks rules', () => {
		expect(repeatRule(NO_REPEAT, start, TZ)).toBeUndefined();
		expect(repeatRule(repeat({ frequency: 'weekly', count: 10 }), start, TZ)).toBe(
			'FREQ=WEEKLY;BYDAY=TU;COUNT=10'
		);
		expect(repeatRule(repeat({ frequency: 'weeks', interval: 2, count: 6 }), start, TZ)).toBe(
			'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6'
		);
	});

	it('builds monthly rules by weekday position and by day of month', () => {
		expect(repeatRule(repeat({ frequency: 'monthly', monthlyBy: 'weekday' }), start, TZ)).toBe(
			'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;COUNT=6'
		);
		expect(weekdayPositionLabel(start)).toBe('2nd Tuesday');
		expect(repeatRule(repeat({ frequency: 'monthly', monthlyBy: 'monthday' }), start, TZ)).toBe(
			'FREQ=MONTHLY;BYMONTHDAY=8;COUNT=6'
		);
		// A fifth Tuesday becomes the last one, which every month has.
		expect(repeatRule(repeat({ frequency: 'monthly' }), '2026-12-29', TZ)).toBe(
			'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1;COUNT=6'
		);
		expect(weekdayPositionLabel('2026-12-29')).toBe('last Tuesday');
		expect(monthdayNote('2026-12-31')).toBe('Months without a 31st are skipped');
		expect(monthdayNote(start)).toBeUndefined();
	});

	it('ends by date with UNTIL in UTC at the end of the local day, across a DST change', () => {
		// Starts in CST (March 3), ends after the spring change: the offset of the end date counts.
		const rule = repeatRule(
			repeat({ frequency: 'weekly', end: 'until', until: '2026-03-31' }),
			'2026-03-03',
			TZ
		)!;
		expect(rule).toBe('FREQ=WEEKLY;BYDAY=TU;UNTIL=20260401T045959Z');
		expect(untilUtc('2026-03-07', TZ)).toBe('20260308T055959Z');
		expect(rruleText.safeParse(rule).success).toBe(true);
		const starts = previewStarts(rule, { date: '2026-03-03', time: '09:00', timeZone: TZ }, 30, 10);
		// 9:00 local every Tuesday: 15:00Z before the change, 14:00Z after; the 31st is included.
		expect(starts).toEqual([
			'2026-03-03T15:00:00.000Z',
			'2026-03-10T14:00:00.000Z',
			'2026-03-17T14:00:00.000Z',
			'2026-03-24T14:00:00.000Z',
			'2026-03-31T14:00:00.000Z'
		]);
	});

	it('previews the first five dates of every kind of rule', () => {
		const at = { date: start, time: '09:00', timeZone: TZ };
		const every2 = previewStarts(repeatRule(repeat({ frequency: 'weeks', interval: 2 }), start, TZ)!, at, 30);
		expect(every2.map((s) => isoToLocal(s, TZ).date)).toEqual([
			'2026-12-08',
			'2026-12-22',
			'2027-01-05',
			'2027-01-19',
			'2027-02-02'
		]);
		const monthly = previewStarts(repeatRule(repeat({ frequency: 'monthly' }), start, TZ)!, at, 30);
		expect(monthly.map((s) => isoToLocal(s, TZ).date)).toEqual([
			'2026-12-08',
			'2027-01-12',
			'2027-02-09',
			'2027-03-09',
			'2027-04-13'
		]);
		expect(isoToLocal(monthly[3]!, TZ).time).toBe('09:00');
		const short = previewStarts(repeatRule(repeat({ frequency: 'weekly', count: 3 }), start, TZ)!, at, 30);
		expect(short).toHaveLength(3);
		expect(previewStarts('FREQ=DAILY', at, 30)).toEqual([]);
	});

	it('every rule it builds is one the series schema accepts', () => {
		for (const c of [
			repeat({ frequency: 'weekly' }),
			repeat({ frequency: 'weeks', interval: 3, end: 'until', until: '2027-06-30' }),
			repeat({ frequency: 'monthly', monthlyBy: 'weekday' }),
			repeat({ frequency: 'monthly', monthlyBy: 'monthday', end: 'until', until: '2027-12-31' })
		])
			expect(rruleText.safeParse(repeatRule(c, '2026-12-29', TZ)).success).toBe(true);
	});

	it('says what is wrong with a repeat choice', () => {
		expect(repeatIssue(NO_REPEAT, start)).toBeUndefined();
		expect(repeatIssue(repeat({ frequency: 'weekly', count: 1 }), start)).toMatch(/2 to/);
		expect(repeatIssue(repeat({ frequency: 'weeks', interval: 0 }), start)).toMatch(/every/);
		expect(repeatIssue(repeat({ frequency: 'weekly', end: 'until', until: '' }), start)).toMatch(/ends/);
		expect(repeatIssue(repeat({ frequency: 'weekly', end: 'until', until: start }), start)).toMatch(/after/);
		expect(
			repeatIssue(repeat({ frequency: 'weekly', end: 'until', until: '2027-01-01' }), start)
		).toBeUndefined();
	});
});

describe('form checks and messages', () => {
	const fields = {
		patientId: PAT,
		providerId: P1,
		typeId: T1,
		date: '2026-03-08',
		time: '09:00',
		duration: 30,
		roomId: '',
		reason: '',
		notes: ''
	};

	it('accepts a complete booking and names each missing or wrong field', () => {
		expect(bookingIssues(fields, TZ)).toEqual({});
		const issues = bookingIssues(
			{
				...fields,
				patientId: '',
				providerId: '',
				typeId: '',
				time: '02:30',
				duration: 32,
				reason: 'x'.repeat(201)
			},
			TZ
		);
		expect(Object.keys(issues).sort()).toEqual(['duration', 'patient', 'provider', 'reason', 'time', 'type']);
		expect(issues.time).toMatch(/does not exist/);
		expect(bookingIssues({ ...fields, duration: 0 }, TZ).duration).toMatch(/5 to/);
		expect(bookingIssues({ ...fields, date: '' }, TZ).date).toBe('Enter a date');
	});

	it('turns zod issues and errors into readable messages', () => {
		const parsed = appointmentSchema.safeParse({ ...appt(), end: appt().start });
		expect(parsed.success).toBe(false);
		expect(errorMessages(parsed.error)).toEqual(['An appointment must end after it starts']);
		expect(errorMessages(new Error('Your role can view the schedule but not change it'))).toEqual([
			'Your role can view the schedule but not change it'
		]);
		expect(errorMessages('?')).toEqual(['That change could not be saved']);
	});
});

describe('slot warnings', () => {
	const slot = { start: '2026-12-01T15:15:00.000Z', end: '2026-12-01T15:45:00.000Z', providerId: P1 };
	const hours = [
		{ start: '2026-12-01T14:00:00.000Z', end: '2026-12-01T23:00:00.000Z', kind: 'work' },
		{ start: '2026-12-01T18:00:00.000Z', end: '2026-12-01T19:00:00.000Z', kind: 'break' }
	];

	it('warns about an overlap with the provider’s other appointments only', () => {
		const list = [
			appt(),
			appt({ id: '00000000-0000-4000-8000-0000000000e1', providerId: P2 }),
			appt({ id: '00000000-0000-4000-8000-0000000000e2', status: 'cancelled', cancelReason: 'Illness' })
		];
		const w = slotWarnings(slot, { appointments: list, hours, timeZone: TZ });
		expect(w).toEqual([
			{
				kind: 'overlap',
				message: 'Overlaps another appointment at 9:00–9:30 AM; it will show as a conflict.'
			}
		]);
		expect(slotWarnings(slot, { appointments: list, hours, timeZone: TZ, excludeId: ID })).toEqual([]);
	});

	it('warns outside hours, over a break, on a holiday; unknown hours raise nothing', () => {
		const early = { ...slot, start: '2026-12-01T13:30:00.000Z', end: '2026-12-01T14:15:00.000Z' };
		expect(slotWarnings(early, { appointments: [], hours, timeZone: TZ }).map((w) => w.kind)).toEqual([
			'outside-hours'
		]);
		const lunch = { ...slot, start: '2026-12-01T18:30:00.000Z', end: '2026-12-01T19:00:00.000Z' };
		expect(slotWarnings(lunch, { appointments: [], hours, timeZone: TZ }).map((w) => w.kind)).toEqual([
			'over-break'
		]);
		expect(slotWarnings(slot, { appointments: [], hours: [], timeZone: TZ })).toEqual([]);
		expect(
			slotWarnings(slot, { appointments: [], hours: [], timeZone: TZ, holiday: 'Christmas' }).map(
				(w) => w.kind
			)
		).toEqual(['closed']);
	});
});

describe('edits → writes', () => {
	const target = (a: Appointment, over: Partial<Parameters<typeof planEdit>[1]> = {}) => ({
		providerId: a.providerId,
		typeId: a.typeId,
		start: a.start,
		end: a.end,
		roomId: a.roomId,
		reason: a.reason,
		notes: a.notes,
		...over
	});

	it('writes nothing when nothing changed, and only changed fields otherwise', () => {
		const a = appt({ roomId: R1, reason: 'Follow-up' });
		expect(planEdit(a, target(a), 'one', TZ)).toEqual([]);
		expect(planEdit(a, target(a, { notes: 'Bring forms ', typeId: T2 }), 'one', TZ)).toEqual([
			{ kind: 'update', patch: { notes: 'Bring forms', typeId: T2 } }
		]);
		expect(planEdit(a, target(a, { roomId: undefined }), 'one', TZ)).toEqual([
			{ kind: 'update', patch: { roomId: undefined } }
		]);
	});

	it('moves on a new time or provider, resizes on a new length alone', () => {
		const a = appt({ roomId: R1 });
		const later = { start: '2026-12-01T16:00:00.000Z', end: '2026-12-01T16:30:00.000Z' };
		expect(planEdit(a, target(a, { ...later, providerId: P2 }), 'one', TZ)).toEqual([
			{ kind: 'move', to: { ...later, providerId: P2, roomId: R1 } }
		]);
		expect(planEdit(a, target(a, { end: '2026-12-01T15:45:00.000Z', reason: 'Longer' }), 'one', TZ)).toEqual([
			{ kind: 'resize', end: '2026-12-01T15:45:00.000Z' },
			{ kind: 'update', patch: { reason: 'Longer' } }
		]);
		expect(planEdit(a, target(a, { ...later, roomId: undefined }), 'one', TZ)).toEqual([
			{ kind: 'move', to: { ...later, providerId: P1 } },
			{ kind: 'update', patch: { roomId: undefined } }
		]);
	});

	it('edits a series for "following" and "all", keeping notes on this visit', () => {
		const a = appt({ seriesId: S1 });
		// 9:00 → 10:15 local, 30 → 45 minutes, same day.
		const next = target(a, {
			start: '2026-12-01T16:15:00.000Z',
			end: '2026-12-01T17:00:00.000Z',
			typeId: T2,
			notes: 'Fasting'
		});
		expect(planEdit(a, next, 'following', TZ)).toEqual([
			{ kind: 'update', patch: { notes: 'Fasting' } },
			{ kind: 'series', scope: 'following', edit: { time: '10:15', durationMinutes: 45, typeId: T2 } }
		]);
		expect(planEdit(a, target(a, { providerId: P2 }), 'all', TZ)).toEqual([
			{ kind: 'series', scope: 'all', edit: { providerId: P2 } }
		]);
		// Scope 'one' on a series is an ordinary move.
		expect(planEdit(a, next, 'one', TZ)[0]?.kind).toBe('move');
		expect(() =>
			planEdit(
				a,
				target(a, { start: '2026-12-02T15:00:00.000Z', end: '2026-12-02T15:30:00.000Z' }),
				'all',
				TZ
			)
		).toThrow(/another day/);
	});

	it('follows the id a move into another month returns', () => {
		const calls: string[] = [];
		const api: EditApi = {
			move: (id) => (calls.push(`move ${id}`), appt({ id: '00000000-0000-4000-8000-0000000000f1' })),
			resize: (id) => (calls.push(`resize ${id}`), appt({ id })),
			update: (id) => (calls.push(`update ${id}`), appt({ id })),
			editSeries: (id, scope) => void calls.push(`series ${id} ${scope}`)
		};
		const ops: EditOp[] = [
			{ kind: 'move', to: { start: appt().start, end: appt().end, providerId: P2 } },
			{ kind: 'update', patch: { notes: 'x' } }
		];
		expect(applyEdit(api, ID, ops)).toBe('00000000-0000-4000-8000-0000000000f1');
		expect(calls).toEqual([`move ${ID}`, 'update 00000000-0000-4000-8000-0000000000f1']);
	});
});

describe('words', () => {
	it('writes history lines', () => {
		const ctx = { timeZone: TZ, providerName: (id: string) => (id === P1 ? 'Dr. Avery' : 'Dr. Brook') };
		const from = { start: '2026-12-01T15:00:00.000Z', end: '2026-12-01T15:30:00.000Z', providerId: P1 };
		const to = { start: '2026-12-02T16:00:00.000Z', end: '2026-12-02T16:30:00.000Z', providerId: P2 };
		expect(historyText({ kind: 'booked', to: from }, ctx)).toBe('Booked for Tue Dec 1, 9:00 AM (Dr. Avery)');
		expect(historyText({ kind: 'moved', from, to }, ctx)).toBe(
			'Moved from Tue Dec 1, 9:00 AM (Dr. Avery) to Wed Dec 2, 10:00 AM (Dr. Brook)'
		);
		expect(historyText({ kind: 'cancelled', reason: 'Weather' }, ctx)).toBe('Cancelled: Weather');
		expect(historyText({ kind: 'status', status: 'in-room' }, ctx)).toBe('Status → in room');
		expect(historyText({ kind: 'resized', to: { ...from, end: '2026-12-01T15:45:00.000Z' } }, ctx)).toBe(
			'Length changed to 45 min'
		);
	});

	it('counts no-shows of the last two years', () => {
		const now = new Date('2026-12-01T12:00:00.000Z');
		expect(
			recentNoShows(
				[
					{ status: 'no-show', start: '2026-06-01T15:00:00.000Z' },
					{ status: 'no-show', start: '2025-01-01T15:00:00.000Z' },
					{ status: 'no-show', start: '2024-11-01T15:00:00.000Z' },
					{ status: 'completed', start: '2026-05-01T15:00:00.000Z' }
				],
				now
			)
		).toBe(2);
	});
});

// -------------------------------------------------------------------------------------------------
// The dialog, rendered on the server over a schedule set by hand (no documents opened).

describe('booking dialog (server render)', () => {
	useTestWorkspace(() => ({
		providers: [provider(P1, 'Ada Vell'), provider(P2, 'Bo Tran', { color: '#1a7f5a', active: false })],
		appointmentTypes: [
			appointmentType(T1),
			appointmentType(T2, { name: 'Procedure', durationMinutes: 60, providerIds: [P2] })
		],
		rooms: [room(R1, 'Exam 1')]
	}));

	afterEach(() => {
		vi.restoreAllMocks();
	});

	it('a new booking: fields in the desk’s tab order, a labelled combobox, only offered types', async () => {
		await canWrite(true);
		const body = render(AppointmentDialog, {
			props: { open: true, initial: { providerId: P1, start: '2026-12-01T15:15:00.000Z', roomId: R1 } }
		}).body;
		expect(body).toContain('data-testid="booking-dialog"');
		expect(body).toContain('New appointment');
		const combobox = /<input[^>]*role="combobox"[^>]*>/.exec(body)?.[0] ?? '';
		expect(combobox).toContain('data-testid="patient-search"');
		expect(combobox).toContain('aria-expanded="false"');
		expect(combobox).toMatch(/aria-controls="[^"]+"/);
		const order = [
			'patient-search',
			'name="provider"',
			'name="type"',
			'name="date"',
			'name="time"',
			'name="duration"',
			'name="room"',
			'name="reason"',
			'name="notes"',
			'name="repeat"',
			'book-submit'
		];
		const positions = order.map((k) => body.indexOf(k));
		expect(positions.every((p) => p > 0)).toBe(true);
		expect([...positions].sort((a, b) => a - b)).toEqual(positions);
		// The clicked slot fills date, time, provider and room (9:15 AM Chicago).
		expect(body).toMatch(/name="date"[^>]*value="2026-12-01"|value="2026-12-01"[^>]*name="date"/);
		expect(body).toMatch(/value="09:15"/);
		expect(body).toContain('Follow-up visit (30 min)');
		// Procedure is offered by Bo Tran only.
		expect(body).not.toContain('Procedure');
		expect(body).not.toContain('Bo Tran');
		expect(body).toContain('Find next available');
	});

	it('an open appointment: status buttons valid for its status, cancel, card link, no repeat', async () => {
		await canWrite(true);
		const a = appt({ roomId: R1, reason: 'Follow-up' });
		vi.spyOn(schedule, 'find').mockReturnValue(a);
		const body = render(AppointmentDialog, { props: { open: true, appointmentId: a.id } }).body;
		for (const s of ['confirmed', 'arrived', 'no-show']) expect(body).toContain(`data-testid="status-${s}"`);
		for (const s of ['in-room', 'completed', 'booked'])
			expect(body).not.toContain(`data-testid="status-${s}"`);
		expect(body).toContain('data-testid="cancel-appointment"');
		expect(body).toContain(`href="/schedule/card/${a.id}"`);
		expect(body).toContain('Save changes');
		expect(body).not.toContain('name="repeat"');
		expect(body).not.toContain('role="combobox"');
	});

	it('a checked-in patient can go to a room or have the check-in undone', async () => {
		await canWrite(true);
		const a = appt({ status: 'arrived', arrivedAt: '2026-12-01T14:52:00.000Z' });
		vi.spyOn(schedule, 'find').mockReturnValue(a);
		const body = render(AppointmentDialog, { props: { open: true, appointmentId: a.id } }).body;
		expect(body).toContain('checked in at 8:52 AM');
		expect(body).toMatch(/data-testid="status-in-room"[^>]*>\s*In room/);
		expect(body).toMatch(/data-testid="status-booked"[^>]*>\s*Undo check-in/);
		expect(body).not.toContain('data-testid="status-arrived"');
	});

	it('a read-only role sees the details and no inputs', async () => {
		await canWrite(false);
		const a = appt({ reason: 'Follow-up' });
		vi.spyOn(schedule, 'find').mockReturnValue(a);
		const body = render(AppointmentDialog, { props: { open: true, appointmentId: a.id } }).body;
		expect(body).toContain('Ada Vell');
		expect(body).toContain('Follow-up visit');
		expect(body).not.toMatch(/<(input|select|textarea)/);
		expect(body).not.toContain('data-testid="status-');
		expect(render(AppointmentDialog, { props: { open: true } }).body).toContain('not book appointments');
	});

	it('renders nothing inside the dialog while closed', async () => {
		await canWrite(true);
		const body = render(AppointmentDialog, { props: { open: false } }).body;
		expect(body).toContain('data-testid="booking-dialog"');
		expect(body).not.toContain('patient-search');
	});
});
