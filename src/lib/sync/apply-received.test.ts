import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyReceived } from './apply-received';

/** A document with enough content that its update is over the size where listeners are juggled. */
function remoteUpdate(records = 50): { update: Uint8Array; source: Y.Doc } {
	const source = new Y.Doc();
	source.transact(() => {
		const map = source.getMap('patients');
		for (let i = 0; i < records; i++) {
			const rec = new Y.Map<unknown>();
			rec.set('familyName', `Family ${i}`);
			rec.set('givenName', `Given ${i}`);
			map.set(`id-${i}`, rec);
		}
	});
	return { update: Y.encodeStateAsUpdate(source), source };
}

describe('applyReceived', () => {
	it('hands update listeners the received bytes instead of a re-encoding, with Yjs’s arguments', () => {
		const { update, source } = remoteUpdate();
		const doc = new Y.Doc();
		const origin = { name: 'provider' };
		const calls: [Uint8Array, unknown, Y.Doc, Y.Transaction][] = [];
		doc.on('update', (u, o, d, tr) => calls.push([u, o, d, tr]));
		applyReceived(doc, update, origin, () => Y.applyUpdate(doc, update, origin));
		expect(calls).toHaveLength(1);
		// The same array: Yjs itself would have handed over a newly encoded one.
		expect(calls[0]![0]).toBe(update);
		expect(calls[0]![1]).toBe(origin);
		expect(calls[0]![2]).toBe(doc);
		expect(calls[0]![3].origin).toBe(origin);
		expect(doc.getMap('patients').toJSON()).toEqual(source.getMap('patients').toJSON());
	});

	it('re-attaches the listeners: later local edits are encoded and delivered as usual', () => {
		const { update } = remoteUpdate();
		const doc = new Y.Doc();
		const seen: Uint8Array[] = [];
		const listener = (u: Uint8Array) => seen.push(u);
		doc.on('update', listener);
		applyReceived(doc, update, 'relay', () => Y.applyUpdate(doc, update, 'relay'));
		doc.getMap('patients').set('local', 1);
		expect(seen).toHaveLength(2);
		const copy = new Y.Doc();
		for (const u of seen) Y.applyUpdate(copy, u);
		expect(copy.getMap('patients').get('local')).toBe(1);
		expect(copy.getMap('patients').size).toBe(51);
		doc.off('update', listener);
		expect(doc._observers.has('update')).toBe(false);
	});

	it('delivers nothing when the update brings nothing new, as Yjs does', () => {
		const { update } = remoteUpdate();
		const doc = new Y.Doc();
		Y.applyUpdate(doc, update);
		let calls = 0;
		doc.on('update', () => calls++);
		applyReceived(doc, update, 'relay', () => Y.applyUpdate(doc, update, 'relay'));
		expect(calls).toBe(0);
	});

	it('on a failure, delivers what was integrated (encoded) and rethrows, listeners attached again', () => {
		const { update } = remoteUpdate();
		const doc = new Y.Doc();
		const seen: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => seen.push(u));
		expect(() =>
			applyReceived(doc, update, 'relay', () => {
				Y.applyUpdate(doc, update, 'relay');
				throw new Error('after integrating');
			})
		).toThrow('after integrating');
		expect(seen).toHaveLength(1);
		expect(seen[0]).not.toBe(update);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, seen[0]!);
		expect(copy.getMap('patients').size).toBe(50);
		doc.getMap('patients').set('later', true);
		expect(seen).toHaveLength(2);
	});

	it('leaves small updates to Yjs', () => {
		const { update } = remoteUpdate(1);
		expect(update.length).toBeLessThan(1024);
		const doc = new Y.Doc();
		const seen: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => seen.push(u));
		applyReceived(doc, update, 'relay', () => Y.applyUpdate(doc, update, 'relay'));
		expect(seen).toHaveLength(1);
		expect(seen[0]).not.toBe(update);
	});
});
