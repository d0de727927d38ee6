/**
 * The schedule's month documents are re-read record by record (only what a transaction touched):
 * a record a colleague's bad edit broke is quarantined and disappears from the schedule, a repaired
 * one comes back, and a remote deletion removes it — without a full re-read.
 */
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addDays, localDate, scheduleMonth } from '../domain';
import { ConflictIndex } from '../domain/schedule/conflicts';
import { Rng } from '../domain/demo/rng';
import { scheduleDoc } from '../crdt/layout';
import { at, plus, PROVIDER, scheduleWorkspace as setup, tick, TZ } from './schedule-fixtures';
import { ScheduleState } from './schedule.svelte';
import { ScheduleStore } from './schedule-store';
import { RecordCollection } from '../crdt/codec';
import { appointmentsIn } from '../crdt/collections';

describe('schedule store, incremental reads', () => {
	it('quarantines a broken record, brings it back when repaired, and drops a deleted one', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(2, 9);
		await showDayOf(start);
		const a = book(start);
		const b = book(at(2, 10));
		expect(schedule.appointments.map((x) => x.id)).toEqual([a.id, b.id]);

		const doc = ws.docs().open(scheduleDoc(scheduleMonth(start)));
		const records = doc.getMap<Y.Map<unknown>>('appointments');
		// A remote edit (another origin) that breaks one field of `a`.
		doc.transact(() => records.get(a.id)!.set('status', 'teleported'), 'remote');
		await tick();
		expect(schedule.appointments.map((x) => x.id)).toEqual([b.id]);
		expect(ws.quarantined.map((q) => q.id)).toEqual([a.id]);
		expect(ws.quarantined[0]!.issues.map((i) => i.path)).toEqual(['status']);

		doc.transact(() => records.get(a.id)!.set('status', 'confirmed'), 'remote');
		await tick();
		expect(schedule.find(a.id)?.status).toBe('confirmed');
		expect(schedule.appointments.map((x) => x.id)).toEqual([a.id, b.id]);
		expect(ws.quarantined).toEqual([]);

		// `b` untouched by these edits: the same object as before (not decoded again).
		const before = schedule.find(b.id);
		doc.transact(() => records.get(a.id)!.set('notes', 'Bring the referral'), 'remote');
		await tick();
		expect(schedule.find(a.id)?.notes).toBe('Bring the referral');
		expect(schedule.find(b.id)).toBe(before);

		doc.transact(() => records.delete(b.id), 'remote');
		await tick();
		expect(schedule.find(b.id)).toBeUndefined();
		expect(schedule.appointments.map((x) => x.id)).toEqual([a.id]);
	}, 60_000);

	it('counts no-shows again only after an edit that touches a no-show', async () => {
		const { schedule, book, showDayOf } = await setup();
		const start = at(2, 9);
		await showDayOf(start);
		const a = book(start);
		const b = book(at(2, 10));
		schedule.setStatus(a.id, 'no-show');
		const counts = schedule.noShows;
		expect(schedule.noShowCount(a.patientId)).toBe(1);

		// A move of another booking: the very same counts (nothing re-counted, nothing re-rendered).
		schedule.move(b.id, { start: at(2, 11), end: plus(at(2, 11), 20), providerId: PROVIDER });
		expect(schedule.noShows).toBe(counts);

		schedule.setStatus(b.id, 'no-show');
		expect(schedule.noShows).not.toBe(counts);
		expect(schedule.noShowCount(a.patientId)).toBe(2);
		// Taking a no-show back counts again too.
		schedule.setStatus(b.id, 'booked');
		expect(schedule.noShowCount(a.patientId)).toBe(1);
	}, 60_000);

	it('follows changes record by record to what a full recomputation gives (conflicts, view, hours)', async () => {
		const { ws, schedule, book } = await setup();
		const follow = vi.spyOn(ConflictIndex.prototype, 'update');
		const rng = new Rng(5);
		const now = new Date().toISOString();
		const today = localDate(new Date(), TZ);
		// Hours from 9 to 12 on every day: bookings outside them are conflicts too.
		schedule.saveTemplate({
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			providerId: PROVIDER,
			effectiveFrom: addDays(today, -60),
			days: [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({
				weekday,
				intervals: [{ from: '09:00', to: '12:00', typeIds: [] }],
				breaks: [],
				blocked: []
			}))
		});
		// Today's view, then a day in the past (its own days join the conflict check), then the future.
		for (const days of [0, -12, 3]) {
			const day = addDays(today, days);
			await schedule.show(day, 'day');
			const ids = [0, 1, 2, 3, 4].map((i) => book(at(days, 8 + i, rng.pick([0, 30]))).id);
			for (let step = 0; step < 30; step++) {
				const id = rng.pick(ids);
				const a = schedule.find(id);
				const op = rng.int(0, 5);
				const start = at(days + rng.int(0, 1), rng.int(7, 13), rng.pick([0, 15, 30, 45]));
				try {
					if (!a) ids.push(book(start).id);
					else if (op === 0) schedule.move(id, { start, end: plus(start, 30), providerId: PROVIDER });
					else if (op === 1) schedule.resize(id, plus(a.start, rng.pick([15, 45, 90])));
					else if (op === 2) schedule.setStatus(id, rng.pick(['confirmed', 'arrived', 'booked']));
					else if (op === 3 && schedule.conflicts[0]) schedule.keepBoth(schedule.conflicts[0]);
					else {
						// A colleague's edit: a new time, or the record deleted.
						const doc = ws.docs().open(scheduleDoc(scheduleMonth(a.start)));
						const records = doc.getMap<Y.Map<unknown>>('appointments');
						doc.transact(() => {
							if (rng.int(0, 3) === 0) records.delete(id);
							else records.get(id)!.set('start', plus(a.start, -rng.pick([30, 60])));
						}, 'remote');
					}
				} catch {
					// A refused step (a status jump): nothing written.
				}
				await tick();
				const fresh = new ScheduleState(ws);
				await fresh.show(day, 'day');
				expect(schedule.conflicts).toEqual(fresh.conflicts);
				expect(schedule.appointments).toEqual(fresh.appointments);
				fresh.reset();
			}
		}
		expect(follow.mock.calls.length).toBeGreaterThan(30);
		follow.mockRestore();
	}, 120_000);

	it('after a big batch of a colleague’s changes (more than are patched one by one), shows what a fresh read does', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(2, 9);
		await showDayOf(start);
		const ids = Array.from({ length: 80 }, (_, i) => book(at(2, 8 + (i % 10), 5 * Math.floor(i / 10))).id);
		expect(schedule.appointments).toHaveLength(80);
		const doc = ws.docs().open(scheduleDoc(scheduleMonth(start)));
		const records = doc.getMap<Y.Map<unknown>>('appointments');
		// One remote transaction: 70 move a day later (out of the view), 5 are deleted.
		doc.transact(() => {
			ids.slice(0, 70).forEach((id) => {
				const r = records.get(id)!;
				// Read through the codec: a booking's fields are inside its `~base` (the `overlay` layout).
				const current = appointmentsIn(doc).raw(id)!;
				r.set('start', plus(String(current.start), 24 * 60));
				r.set('end', plus(String(current.end), 24 * 60));
			});
			ids.slice(70, 75).forEach((id) => records.delete(id));
		}, 'remote');
		await tick();
		const fresh = new ScheduleState(ws);
		await fresh.show(localDate(new Date(start), TZ), 'day');
		expect(schedule.appointments.map((a) => a.id)).toEqual(ids.slice(75));
		expect(schedule.appointments).toEqual(fresh.appointments);
		expect(schedule.conflicts).toEqual(fresh.conflicts);
		fresh.reset();
	}, 60_000);

	it('takes a local write as written, but decodes and validates whatever a colleague changes after it', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(2, 9);
		await showDayOf(start);
		const a = book(start);
		const name = scheduleDoc(scheduleMonth(start));
		const store = new ScheduleStore(ws, { common: () => {}, changed: () => {}, commonChanged: () => {} });
		await store.openMonth(name);
		const doc = ws.docs().open(name);
		const decode = vi.spyOn(RecordCollection.prototype, 'get');

		store.patchAppointment(doc, a.id, { notes: 'Mine' });
		store.readMonth(name);
		expect(store.find(a.id)?.notes).toBe('Mine');
		expect(decode).not.toHaveBeenCalled();

		// Written here, then changed by a colleague before the month was read: the colleague's value.
		store.patchAppointment(doc, a.id, { notes: 'Mine again' });
		const records = doc.getMap<Y.Map<unknown>>('appointments');
		doc.transact(() => records.get(a.id)!.set('notes', 'Theirs'), 'remote');
		store.readMonth(name);
		expect(store.find(a.id)?.notes).toBe('Theirs');
		expect(decode).toHaveBeenCalledTimes(1);

		// And a broken one is quarantined, not taken from what this workstation wrote before.
		store.patchAppointment(doc, a.id, { notes: 'Once more' });
		doc.transact(() => records.get(a.id)!.set('status', 'teleported'), 'remote');
		store.readMonth(name);
		expect(store.find(a.id)).toBeUndefined();
		decode.mockRestore();
		store.detach();
		schedule.reset();
	}, 60_000);
});
