/**
 * The schedule's writes end to end over the real state classes (fake-indexeddb): booking, moves in
 * and across months with their history, status flow, cancellation freeing a slot for the waitlist,
 * conflicts and their audited resolution, recurring series — and two workstations editing one series
 * offline, merged by exchanging their documents' updates.
 */
import { describe, expect, it } from 'vitest';
import { addDays, localDate, zonedTimeToUtc } from '../domain';
import type { ScheduleState } from './schedule.svelte';
import {
	addPatient,
	at,
	exchangeSchedules,
	plus,
	PROVIDER,
	scheduleWorkspace as setup,
	tick,
	TYPE,
	TZ
} from './schedule-fixtures';

describe('schedule state', () => {
	it('books, moves within the month, resizes and keeps the history', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(3, 9);
		await showDayOf(start);
		const a = book(start);
		expect(schedule.appointments.map((x) => x.id)).toEqual([a.id]);

		const moved = schedule.move(a.id, { start: plus(start, 60), end: plus(start, 80), providerId: PROVIDER });
		expect(moved.id).toBe(a.id);
		expect(schedule.find(a.id)?.start).toBe(plus(start, 60));
		schedule.resize(a.id, plus(start, 90));
		expect(schedule.find(a.id)?.end).toBe(plus(start, 90));

		const history = await schedule.historyOf(a.id);
		expect(history.map((e) => e.kind)).toEqual(['booked', 'moved', 'resized']);
		expect(history[1]).toMatchObject({
			from: { start },
			to: { start: plus(start, 60) },
			by: ws.session!.user.id
		});

		await ws.auditSettled();
		const trail = await ws.auditTrail();
		trail.stop();
		const mine = trail.rows.filter((r) => r.recordId === a.id).map((r) => r.action);
		expect(mine).toEqual(['create', 'change', 'change']);
	}, 60_000);

	it('reschedules into another month as a new booking that points back to the old one', async () => {
		const { schedule, book, showDayOf } = await setup();
		const start = at(2, 10);
		await showDayOf(start);
		const a = book(start);
		const later = plus(start, 40 * 24 * 60);
		const b = schedule.move(
			a.id,
			{ start: later, end: plus(later, 20), providerId: PROVIDER },
			'Patient request'
		);
		expect(b.id).not.toBe(a.id);
		expect(b.rescheduledFromId).toBe(a.id);
		expect(schedule.find(a.id)?.status).toBe('rescheduled');
		const history = await schedule.historyOf(b.id);
		expect(history.map((e) => e.kind)).toEqual(['booked', 'rescheduled']);
		expect(history[1]).toMatchObject({ reason: 'Patient request', replacementId: b.id });
	}, 60_000);

	it('keeps the room on a move that names none, frees it on `roomId: null`, in and across months', async () => {
		const { schedule, book, showDayOf } = await setup();
		const ROOM = '5d2c8e17-9a4b-4c3d-8e2f-3a4b5c6d7e8f';
		const start = at(2, 9);
		await showDayOf(start);
		const a = book(start, { roomId: ROOM });
		schedule.move(a.id, { start: plus(start, 30), end: plus(start, 50), providerId: PROVIDER });
		expect(schedule.find(a.id)?.roomId).toBe(ROOM);
		schedule.move(a.id, { start: plus(start, 30), end: plus(start, 50), providerId: PROVIDER, roomId: null });
		expect(schedule.find(a.id)?.roomId).toBeUndefined();

		const b = book(plus(start, 120), { end: plus(start, 140), roomId: ROOM });
		const later = plus(start, 40 * 24 * 60);
		const moved = schedule.move(b.id, {
			start: later,
			end: plus(later, 20),
			providerId: PROVIDER,
			roomId: null
		});
		expect(moved.id).not.toBe(b.id);
		expect(schedule.find(moved.id)?.roomId).toBeUndefined();
		expect(schedule.find(b.id)).toMatchObject({ status: 'rescheduled', roomId: ROOM });
	}, 60_000);

	it('walks the status flow and refuses jumps', async () => {
		const { schedule, book, showDayOf } = await setup();
		const start = at(1, 11);
		await showDayOf(start);
		const a = book(start);
		schedule.setStatus(a.id, 'confirmed');
		const arrived = schedule.setStatus(a.id, 'arrived');
		expect(arrived.arrivedAt).toBeDefined();
		schedule.setStatus(a.id, 'in-room');
		schedule.setStatus(a.id, 'completed');
		expect(() => schedule.setStatus(a.id, 'no-show')).toThrow(/Cannot go from completed/);
		expect(() => schedule.cancel(a.id, '  ')).toThrow(/reason/);
	}, 60_000);

	it('reports a double-booking and records who kept both', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(4, 9);
		await showDayOf(start);
		const a = book(start, { end: plus(start, 30) });
		const b = book(plus(start, 15), { end: plus(start, 45) });
		const [conflict] = schedule.conflicts;
		expect(conflict).toMatchObject({ kind: 'provider-overlap', resolved: false });
		expect(conflict!.appointmentIds).toEqual([a.id, b.id].sort());
		schedule.keepBoth(conflict!, 'Quick recheck');
		expect(schedule.conflicts[0]?.resolved).toBe(true);
		schedule.reopenConflict(conflict!.id);
		expect(schedule.conflicts[0]?.resolved).toBe(false);
		schedule.keepBoth(conflict!, 'Quick recheck');
		expect(schedule.conflicts[0]?.resolved).toBe(true);
		expect(schedule.resolutionOf(conflict!.id)).toMatchObject({
			note: 'Quick recheck',
			by: ws.session!.user.id
		});
		await ws.auditSettled();
		const trail = await ws.auditTrail();
		trail.stop();
		expect(trail.rows.some((r) => r.action === 'resolve-conflict' && r.recordId === conflict!.id)).toBe(true);
	}, 60_000);

	it('offers a freed slot to a matching waitlisted patient and books them', async () => {
		const { schedule, patients, book, showDayOf } = await setup();
		const waiting = addPatient(patients, 'Quillby', 'Nessa', '1988-09-09');
		const start = at(5, 14);
		await showDayOf(start);
		const entry = schedule.addToWaitlist({
			patientId: waiting.id,
			typeId: TYPE,
			weekdays: [],
			timeOfDay: 'afternoon',
			priority: 'normal',
			note: ''
		});
		schedule.addToWaitlist({
			patientId: waiting.id,
			typeId: TYPE,
			weekdays: [],
			timeOfDay: 'morning',
			priority: 'normal',
			note: ''
		});
		const a = book(start);
		schedule.cancel(a.id, 'Patient request');
		expect(schedule.offer?.entries.map((e) => e.id)).toEqual([entry.id]);
		const booked = schedule.bookFromWaitlist(entry.id, schedule.offer!.slot);
		expect(booked).toMatchObject({ patientId: waiting.id, start, status: 'booked' });
		expect(schedule.waitlist.find((w) => w.id === entry.id)).toMatchObject({
			status: 'booked',
			bookedAppointmentId: booked.id
		});
		expect(schedule.offer).toBeNull();
	}, 60_000);

	it('books a weekly series and cancels one occurrence, then the rest', async () => {
		const { schedule, book, showDayOf } = await setup();
		const start = at(7, 9, 30);
		await showDayOf(start);
		const first = book(start, { rrule: 'FREQ=WEEKLY;COUNT=4' });
		await tick();
		const series = schedule.series[0]!;
		const all = () => schedule.appointmentsOfSeries(series.id);
		expect(all()).toHaveLength(4);
		expect(first.seriesId).toBe(series.id);
		const second = all()[1]!;
		schedule.cancel(second.id, 'Patient request', 'one');
		expect(Object.values(schedule.series[0]!.exceptions)).toEqual(['cancelled']);
		const third = all()[2]!;
		schedule.cancel(third.id, 'Stopping therapy', 'following');
		const statuses = all().map((a) => a.status);
		expect(statuses).toEqual(['booked', 'cancelled', 'cancelled', 'cancelled']);
	}, 60_000);

	it('keeps both workstations’ edits of one series made offline at the same time', async () => {
		const a = await setup();
		const start = at(7, 8, 0);
		await a.showDayOf(start);
		a.book(start, { rrule: 'FREQ=WEEKLY;COUNT=6' });
		await tick();
		// Workstation B starts from A's documents, then both go offline.
		const b = await setup();
		const exchange = () => exchangeSchedules(a.ws, b.ws);
		exchange();
		await b.showDayOf(start);
		const seriesId = a.schedule.series[0]!.id;
		const occ = (s: ScheduleState) => s.appointmentsOfSeries(seriesId);
		expect(occ(b.schedule)).toHaveLength(6);

		// Offline: A cancels the 2nd occurrence, B moves the 4th an hour later and edits the 5th's notes.
		a.schedule.cancel(occ(a.schedule)[1]!.id, 'Patient request', 'one');
		const fourth = occ(b.schedule)[3]!;
		b.schedule.move(fourth.id, {
			start: plus(fourth.start, 60),
			end: plus(fourth.end, 60),
			providerId: PROVIDER
		});
		b.schedule.update(occ(b.schedule)[4]!.id, { notes: 'Bring brace' });

		exchange();
		await tick();
		for (const s of [a.schedule, b.schedule]) {
			const list = occ(s);
			expect(list).toHaveLength(6);
			expect(list.map((x) => x.status)).toEqual([
				'booked',
				'cancelled',
				'booked',
				'booked',
				'booked',
				'booked'
			]);
			expect(list[3]!.start).toBe(plus(fourth.start, 60));
			expect(list[4]!.notes).toBe('Bring brace');
			const exceptions = s.series.find((x) => x.id === seriesId)!.exceptions;
			expect(Object.values(exceptions).sort()).toEqual(
				['cancelled', { moved: { start: plus(fourth.start, 60), end: plus(fourth.end, 60) } }].sort()
			);
		}
	}, 60_000);

	it('merges two workstations’ offline edits of one appointment field by field', async () => {
		const a = await setup();
		const start = at(6, 15);
		await a.showDayOf(start);
		const appt = a.book(start);
		const b = await setup();
		const exchange = () => exchangeSchedules(a.ws, b.ws);

		exchange();
		await b.showDayOf(start);
		a.schedule.update(appt.id, { notes: 'Interpreter booked' });
		b.schedule.update(appt.id, { reason: 'Blood pressure check' });
		b.schedule.setStatus(appt.id, 'confirmed');
		exchange();
		await tick();
		for (const s of [a.schedule, b.schedule])
			expect(s.find(appt.id)).toMatchObject({
				notes: 'Interpreter booked',
				reason: 'Blood pressure check',
				status: 'confirmed'
			});
		const history = await a.schedule.historyOf(appt.id);
		expect(history.map((e) => e.kind).sort()).toEqual(['booked', 'edited', 'edited', 'status']);
	}, 60_000);

	it('keeps appointments valid when one workstation steps a status back while another moves it on', async () => {
		const a = await setup();
		const start = at(0, 23, 0);
		await a.showDayOf(start);
		const later = (m: number) => new Date(Date.parse(start) + m * 60_000).toISOString();
		// Two of each, so that each workstation is once the one whose status wins the merge.
		const arrived = [a.book(start), a.book(later(30))];
		const cancelled = [a.book(later(60)), a.book(later(90))];
		for (const x of arrived) a.schedule.setStatus(x.id, 'arrived');
		for (const x of cancelled) a.schedule.cancel(x.id, 'Patient request');
		const b = await setup();
		exchangeSchedules(a.ws, b.ws);
		await b.showDayOf(start);
		const [one, two] = [a.schedule, b.schedule];
		// Offline: an undone check-in against rooming the patient; a reinstatement against cancelling again.
		one.setStatus(arrived[0]!.id, 'booked');
		two.setStatus(arrived[0]!.id, 'in-room');
		two.setStatus(arrived[1]!.id, 'booked');
		one.setStatus(arrived[1]!.id, 'in-room');
		one.setStatus(cancelled[0]!.id, 'booked');
		two.setStatus(cancelled[0]!.id, 'booked');
		two.cancel(cancelled[0]!.id, 'Illness');
		two.setStatus(cancelled[1]!.id, 'booked');
		one.setStatus(cancelled[1]!.id, 'booked');
		one.cancel(cancelled[1]!.id, 'Illness');
		exchangeSchedules(a.ws, b.ws);
		await tick();
		for (const s of [a.schedule, b.schedule])
			for (const x of [...arrived, ...cancelled]) expect(s.find(x.id), x.id).toBeDefined();
		expect(a.ws.quarantined).toEqual([]);
		expect(b.ws.quarantined).toEqual([]);
	}, 60_000);

	it('finds the next free slot inside a provider’s hours', async () => {
		const { schedule, book } = await setup();
		const date = addDays(localDate(new Date(), TZ), 2);
		await schedule.show(date, 'day');
		const now = new Date().toISOString();
		schedule.saveTemplate({
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			providerId: PROVIDER,
			effectiveFrom: addDays(date, -30),
			days: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({
				weekday,
				intervals: [{ from: '09:00', to: '10:00', typeIds: [] }],
				breaks: [],
				blocked: []
			}))
		});
		const nine = zonedTimeToUtc(date, 9, 0, TZ).toISOString();
		book(nine);
		const [slot] = await schedule.findSlots({
			typeId: TYPE,
			from: zonedTimeToUtc(date, 0, 0, TZ).toISOString(),
			limit: 1
		});
		expect(slot).toMatchObject({ providerId: PROVIDER, start: plus(nine, 30) });
		// Outside hours now raises a rule conflict.
		const seven = zonedTimeToUtc(date, 7, 0, TZ).toISOString();
		book(seven);
		expect(schedule.conflicts.map((c) => c.kind)).toContain('outside-hours');
	}, 60_000);
});

describe('appointment history without per-field change marks', () => {
	it('a move, an edit and a status change each write one JSON event; `fields` names what changed', async () => {
		const { appointmentEventsIn, appointmentsIn } = await import('../crdt/collections');
		const { scheduleDoc } = await import('../crdt/layout');
		const { scheduleMonth } = await import('../domain');
		const { ws, schedule, book, showDayOf } = await setup();
		const ROOM = '5d2c8e17-9a4b-4c3d-8e2f-3a4b5c6d7e8f';
		const start = at(3, 9);
		await showDayOf(start);
		const a = book(start);
		schedule.move(a.id, { start: plus(start, 60), end: plus(start, 80), providerId: PROVIDER, roomId: ROOM });
		schedule.update(a.id, { notes: 'Bring the referral letter', reason: 'Flu shot' });
		schedule.setStatus(a.id, 'confirmed');

		const history = await schedule.historyOf(a.id);
		expect(history.map((e) => e.kind)).toEqual(['booked', 'moved', 'edited', 'status']);
		expect(history[0]!.fields).toBeUndefined();
		expect([...history[1]!.fields!].sort()).toEqual(['end', 'roomId', 'start']);
		expect([...history[2]!.fields!].sort()).toEqual(['notes', 'reason']);
		expect(history[3]).toMatchObject({ status: 'confirmed', by: ws.session!.user.id });

		const doc = ws.docs().open(scheduleDoc(scheduleMonth(start)));
		const stored = appointmentsIn(doc).raw(a.id)!;
		expect(stored).toMatchObject({ notes: 'Bring the referral letter', roomId: ROOM, status: 'confirmed' });
		expect(Object.keys(stored).filter((k) => k.startsWith('~'))).toEqual([]);
		expect(appointmentsIn(doc).lastChanges(a.id)).toEqual({});
		const events = appointmentEventsIn(doc);
		const mine = events.all().records.filter((e) => e.appointmentId === a.id);
		expect(mine).toHaveLength(4);
		for (const e of mine) expect(typeof events.map.get(e.id)).toBe('string');
	}, 60_000);
});
