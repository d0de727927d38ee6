import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
	migrate,
	READER_FORMAT,
	readerFormat,
	readVersion,
	requireReaderFormat,
	watchReaderFormat,
	type Migration
} from './migrations';
import { appointmentsIn } from './collections';
import { RecordCollection } from './codec';
import { appointment } from '../domain';
import type { Scope } from './layout';

describe('document migrations', () => {
	const renameReason: Migration = (doc) => {
		doc.getMap<Y.Map<unknown>>('appointments').forEach((rec) => {
			if (rec.has('why')) {
				rec.set('reason', rec.get('why'));
				rec.delete('why');
			}
		});
	};
	const table: Partial<Record<Scope, Migration[]>> = { schedule: [renameReason] };

	it('upgrades an old document once and stamps the version', () => {
		const doc = new Y.Doc();
		const rec = new Y.Map<unknown>();
		doc.getMap('appointments').set('a', rec);
		rec.set('why', 'Checkup');
		expect(migrate(doc, 'schedule/2026-11', table)).toEqual({ kind: 'migrated', from: 0, to: 1 });
		expect(rec.get('reason')).toBe('Checkup');
		expect(readVersion(doc)).toBe(1);
		expect(migrate(doc, 'schedule/2026-11', table)).toEqual({ kind: 'current', version: 1 });
	});

	it('converges when two devices migrate the same document before syncing', () => {
		const a = new Y.Doc();
		const rec = new Y.Map<unknown>();
		a.getMap('appointments').set('a', rec);
		rec.set('why', 'Checkup');
		const b = new Y.Doc();
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		migrate(a, 'schedule/2026-11', table);
		migrate(b, 'schedule/2026-11', table);
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(a.getMap('appointments').toJSON()).toEqual(b.getMap('appointments').toJSON());
		expect(a.getMap('appointments').toJSON()).toEqual({ a: { reason: 'Checkup' } });
	});

	it('leaves a document from a newer app untouched', () => {
		const doc = new Y.Doc();
		doc.getMap('meta').set('schemaVersion', 7);
		const before = Y.encodeStateAsUpdate(doc);
		expect(migrate(doc, 'schedule/2026-11', table)).toEqual({ kind: 'newer', version: 7, supported: 1 });
		expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
	});
});

describe('reader format of record layouts', () => {
	const booking = (id: string) => ({
		id,
		createdAt: '2026-11-20T10:00:00.000Z',
		updatedAt: '2026-11-20T10:00:00.000Z',
		patientId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
		providerId: '1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e',
		typeId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
		start: '2026-12-01T15:00:00.000Z',
		end: '2026-12-01T15:20:00.000Z',
		status: 'booked' as const,
		reason: 'Follow-up',
		notes: ''
	});
	const A = '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b';
	const B = '8b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e';

	it('is raised by the first overlay record, in its transaction, and not written again', () => {
		const doc = new Y.Doc();
		expect(readerFormat(doc)).toBe(0);
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		appointmentsIn(doc).insert(booking(A));
		expect(readerFormat(doc)).toBe(READER_FORMAT);
		expect(updates).toHaveLength(1);
		const meta = doc.getMap('meta');
		let writes = 0;
		meta.observe(() => writes++);
		appointmentsIn(doc).insert(booking(B));
		expect(writes).toBe(0);
	});

	it('keeps the higher of two raises made at once, whichever client id wins', () => {
		for (const [lowId, highId] of [
			[1, 2],
			[2, 1]
		] as const) {
			const low = new Y.Doc();
			low.clientID = lowId;
			const high = new Y.Doc();
			high.clientID = highId;
			requireReaderFormat(low, 1);
			requireReaderFormat(high, 2);
			Y.applyUpdate(low, Y.encodeStateAsUpdate(high));
			Y.applyUpdate(high, Y.encodeStateAsUpdate(low));
			expect([readerFormat(low), readerFormat(high)]).toEqual([2, 2]);
		}
	});

	it('is not raised by a layout every version reads', () => {
		const doc = new Y.Doc();
		new RecordCollection(doc, 'appointments', appointment).insert(booking(A));
		expect(readerFormat(doc)).toBe(0);
	});

	it('reports a document that needs a newer reader when opened, or once when a sync brings it', () => {
		const newer = new Y.Doc();
		requireReaderFormat(newer, READER_FORMAT + 1);
		const seen: number[] = [];
		watchReaderFormat(newer, (f) => seen.push(f));
		expect(seen).toEqual([READER_FORMAT + 1]);

		// Opened before the colleague's newer records arrive.
		const mine = new Y.Doc();
		appointmentsIn(mine).insert(booking(A));
		const later: number[] = [];
		const stop = watchReaderFormat(mine, (f) => later.push(f));
		expect(later).toEqual([]);
		Y.applyUpdate(mine, Y.encodeStateAsUpdate(newer));
		expect(later).toEqual([READER_FORMAT + 1]);
		// Once is enough: another raise is not reported again.
		requireReaderFormat(mine, READER_FORMAT + 2);
		expect(later).toEqual([READER_FORMAT + 1]);
		stop();

		// This version's own records are not "newer".
		const own: number[] = [];
		watchReaderFormat(mine, (f) => own.push(f), READER_FORMAT + 2);
		expect(own).toEqual([]);
	});
});
