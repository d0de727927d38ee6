import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { migrate, readVersion, type Migration } from './migrations';
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
