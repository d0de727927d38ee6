/**
 * What the schedule's writes leave in the month document since appointments use the codec's
 * `overlay` layout, and that it reads back as written (the store keeps what it wrote instead of
 * decoding it again, so the two must agree, `updatedAt` included).
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { scheduleMonth } from '../domain';
import { appointmentsIn } from '../crdt/collections';
import { scheduleDoc } from '../crdt/layout';
import { at, plus, PROVIDER, scheduleWorkspace as setup, tick } from './schedule-fixtures';

describe('appointments as stored by the schedule', () => {
	it('a booking is its map and one base string; edits write their fields with their time, no updatedAt entry', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(3, 9);
		await showDayOf(start);
		const a = book(start);
		const doc = ws.docs().open(scheduleDoc(scheduleMonth(start)));
		const entries = () => (appointmentsIn(doc).map.get(a.id) as Y.Map<unknown>).toJSON();
		expect(Object.keys(entries())).toEqual(['~base']);

		schedule.move(a.id, { start: plus(start, 60), end: plus(start, 80), providerId: PROVIDER });
		schedule.update(a.id, { notes: 'Bring the referral letter' });
		const confirmed = schedule.setStatus(a.id, 'confirmed');
		const stored = entries();
		expect(Object.keys(stored).sort()).toEqual(['end', 'notes', 'start', 'status', '~base']);
		expect(stored.status).toEqual(['confirmed', confirmed.updatedAt]);
		expect(stored.notes).toEqual(['Bring the referral letter', expect.any(String)]);

		// What the store kept from its own writes is what a fresh decode reads.
		const decoded = appointmentsIn(doc).get(a.id);
		expect(decoded).toEqual({ ok: true, value: schedule.find(a.id) });
		expect(decoded?.ok && decoded.value).toMatchObject({
			start: plus(start, 60),
			notes: 'Bring the referral letter',
			status: 'confirmed',
			updatedAt: confirmed.updatedAt
		});
		schedule.reset();
	}, 60_000);

	it('a colleague’s later edit moves updatedAt on (the history dialog re-reads on it)', async () => {
		const { ws, schedule, book, showDayOf } = await setup();
		const start = at(3, 9);
		await showDayOf(start);
		const a = book(start);
		const doc = ws.docs().open(scheduleDoc(scheduleMonth(start)));
		const later = new Date(Date.parse(a.updatedAt) + 60_000).toISOString();
		const colleague = new Y.Doc();
		Y.applyUpdate(colleague, Y.encodeStateAsUpdate(doc));
		appointmentsIn(colleague).update(a.id, { notes: 'Interpreter needed', updatedAt: later });
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(colleague, Y.encodeStateVector(doc)), 'remote');
		await tick();
		expect(schedule.find(a.id)).toMatchObject({ notes: 'Interpreter needed', updatedAt: later });
		schedule.reset();
	}, 60_000);
});
