/**
 * The schedule's month documents are re-read record by record (only what a transaction touched):
 * a record a colleague's bad edit broke is quarantined and disappears from the schedule, a repaired
 * one comes back, and a remote deletion removes it — without a full re-read.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { scheduleMonth } from '../domain';
import { scheduleDoc } from '../crdt/layout';
import { at, plus, PROVIDER, scheduleWorkspace as setup, tick } from './schedule-fixtures';

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
});
