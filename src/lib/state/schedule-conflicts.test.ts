/**
 * The view's list after an edit is patched (the changed records taken out and put back in at their
 * place) instead of sorted again: it must be exactly what sorting gives, and the same array when
 * nothing in the view changed.
 */
import { describe, expect, it } from 'vitest';
import type { Appointment } from '../domain';
import { Rng } from '../domain/demo/rng';
import { scheduleDoc } from '../crdt/layout';
import { patchSorted, viewChanges } from './schedule-conflicts';
import type { AppointmentChange } from './schedule-store';

const BASE = Date.parse('2026-11-28T08:00:00Z');

function visit(rng: Rng, id = rng.uuid()): Appointment {
	// Few distinct starts, so that ties (ordered by id) are common.
	const start = BASE + rng.int(0, 11) * 600_000;
	return {
		id,
		createdAt: new Date(BASE).toISOString(),
		updatedAt: new Date(BASE).toISOString(),
		patientId: 'p',
		providerId: 'd',
		typeId: 't',
		start: new Date(start).toISOString(),
		end: new Date(start + 600_000).toISOString(),
		status: 'booked',
		reason: '',
		notes: ''
	};
}

const sorted = (list: readonly Appointment[]) =>
	[...list].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.id < b.id ? -1 : 1));

describe('patchSorted', () => {
	it('gives what a sort of the changed list gives, over random batches of changes', () => {
		const rng = new Rng(11);
		let current = new Map<string, Appointment>();
		for (let i = 0; i < 40; i++) {
			const a = visit(rng);
			current.set(a.id, a);
		}
		let list = sorted([...current.values()]);
		for (let step = 0; step < 300; step++) {
			const changed = new Map<string, Appointment | undefined>();
			const ids = [...current.keys()];
			// Up to 40 changes: past the patching limit, the list is sorted again.
			const n = step % 25 === 0 ? 40 : rng.int(1, 4);
			for (let k = 0; k < n; k++) {
				const op = rng.int(0, 3);
				if (op === 0 || ids.length === 0) {
					const a = visit(rng);
					changed.set(a.id, a);
				} else {
					const id = rng.pick(ids);
					// Moved (maybe to the same start, as a new object), or gone from the view.
					changed.set(id, op === 3 ? undefined : visit(rng, id));
				}
			}
			const next = new Map(current);
			for (const [id, a] of changed) {
				if (a) next.set(id, a);
				else next.delete(id);
			}
			const patched = patchSorted(list, changed);
			expect(patched).toEqual(sorted([...next.values()]));
			// The records themselves, not copies: unchanged ones keep their object.
			for (const a of patched) expect(a).toBe(next.get(a.id));
			current = next;
			list = patched;
		}
	});

	it('returns the same array when nothing in the view changed', () => {
		const rng = new Rng(3);
		const list = sorted([visit(rng), visit(rng)]);
		expect(patchSorted(list, new Map([['elsewhere', undefined]]))).toBe(list);
		expect(patchSorted(list, new Map([[list[0]!.id, undefined]]))).not.toBe(list);
	});
});

describe('viewChanges', () => {
	it('keeps a changed record only while it overlaps the view', () => {
		const rng = new Rng(4);
		const a = visit(rng);
		const later = { ...visit(rng), start: '2026-11-30T08:00:00.000Z', end: '2026-11-30T08:10:00.000Z' };
		const view = { start: '2026-11-28T00:00:00.000Z', end: '2026-11-29T00:00:00.000Z' };
		const name = scheduleDoc('2026-11');
		const changes = new Map<string, AppointmentChange>([
			[a.id, { name, a }],
			[later.id, { name, a: later }],
			['gone', { name, a: undefined }]
		]);
		expect(viewChanges(changes, view)).toEqual(
			new Map([
				[a.id, a],
				[later.id, undefined],
				['gone', undefined]
			])
		);
	});
});
