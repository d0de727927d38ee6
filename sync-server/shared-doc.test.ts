import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { SharedDoc, type Subscriber } from './shared-doc';

class FakeSub implements Subscriber {
	readonly inbox: Uint8Array[] = [];
	constructor(
		private readonly write: boolean,
		private readonly user = 'u1'
	) {}
	canWrite() {
		return this.write;
	}
	identity() {
		return { userId: this.user, role: 'front-desk' };
	}
	send(m: Uint8Array) {
		this.inbox.push(m);
	}
	types() {
		return this.inbox.map((m) => m[0]);
	}
}

function updateMessage(doc: Y.Doc): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
	return encoding.toUint8Array(e);
}

/** Subscribes and sends the (empty) sync step 2 every y-websocket client answers the relay's step 1 with. */
function join(shared: SharedDoc, sub: Subscriber): void {
	shared.subscribe(sub);
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	syncProtocol.writeSyncStep2(e, new Y.Doc());
	shared.receive(sub, encoding.toUint8Array(e));
}

function setup() {
	const persisted: { update: Uint8Array; from: Subscriber }[] = [];
	const shared = new SharedDoc('schedule/2026-11', (update, from) => persisted.push({ update, from }));
	return { shared, persisted };
}

describe('shared document', () => {
	it('greets a subscriber with sync step 1 and answers step 1 with step 2', () => {
		const { shared } = setup();
		const a = new FakeSub(true);
		join(shared, a);
		expect(a.inbox[0]!.slice(0, 2)).toEqual(new Uint8Array([0, 0]));
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		syncProtocol.writeSyncStep1(e, new Y.Doc());
		expect(shared.receive(a, encoding.toUint8Array(e))).toBe('ok');
		expect(a.inbox[1]!.slice(0, 2)).toEqual(new Uint8Array([0, 1]));
	});

	it('acknowledges only what the store has: its state vector, and barriers once it has caught up', () => {
		const later: (() => void)[] = [];
		const stored = new Y.Doc();
		const shared = new SharedDoc('schedule/2026-11', {
			persist: () => undefined,
			afterStored: (then) => void later.push(then),
			storedStateVector: () => Y.encodeStateVector(stored)
		});
		const source = new Y.Doc();
		source.getMap('m').set('k', 'v');
		const writerSub = new FakeSub(true, 'writer');
		join(shared, writerSub);
		shared.receive(writerSub, updateMessage(source));
		const a = new FakeSub(true);
		const gone = new FakeSub(true);
		shared.subscribe(a);
		shared.subscribe(gone);
		// The greeting goes out at once, with the state vector of the store (empty), not the doc's.
		expect(a.inbox).toHaveLength(1);
		expect(Y.decodeStateVector(a.inbox[0]!.subarray(3)).size).toBe(0);
		const step1 = (sv: Uint8Array) => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint(e, 0);
			encoding.writeVarUint8Array(e, sv);
			return encoding.toUint8Array(e);
		};
		const empty = Y.encodeStateVector(new Y.Doc());
		// The first step 1 (how a workstation gets the document) is answered at once…
		expect(shared.receive(a, step1(empty))).toBe('ok');
		expect(a.inbox).toHaveLength(2);
		// …later ones are barriers: answered when the store has caught up, in order.
		expect(shared.receive(a, step1(empty))).toBe('ok');
		expect(shared.receive(a, step1(Y.encodeStateVector(source)))).toBe('ok');
		// Malformed state vectors are refused now, not when the answer would go out.
		expect(shared.receive(a, new Uint8Array([0, 0, 2, 5, 1]))).toBe('bad');
		shared.receive(gone, step1(empty));
		shared.receive(gone, step1(empty));
		shared.unsubscribe(gone);
		expect(a.inbox).toHaveLength(2);
		for (const run of later.splice(0)) run();
		const answers = a.inbox.slice(2);
		expect(answers.map((m) => [...m.slice(0, 2)])).toEqual([
			[0, 1],
			[0, 1]
		]);
		// The first barrier asked for everything, the second had it all.
		expect(answers[0]!.length).toBeGreaterThan(answers[1]!.length);
		expect(gone.inbox).toHaveLength(2);
		// A subscriber whose barriers pile up while the store does not catch up is cut off (transiently).
		let result = 'ok';
		for (let i = 0; i < 200 && result === 'ok'; i++) result = shared.receive(a, step1(empty));
		expect(result).toBe('overloaded');
	});

	it('applies a writer update, broadcasts it to the others and persists it once', () => {
		const { shared, persisted } = setup();
		const a = new FakeSub(true, 'writer');
		const b = new FakeSub(true);
		join(shared, a);
		join(shared, b);
		const source = new Y.Doc();
		source.getMap('m').set('k', 'v');
		expect(shared.receive(a, updateMessage(source))).toBe('ok');
		expect(shared.receive(a, updateMessage(source))).toBe('ok');
		expect(shared.doc.getMap('m').get('k')).toBe('v');
		expect(a.inbox).toHaveLength(1);
		expect(b.inbox).toHaveLength(2);
		// The duplicate changed nothing, so only the first was stored.
		expect(persisted).toHaveLength(1);
		expect(persisted[0]!.from).toBe(a);
	});

	it('drops updates from a read-only subscriber but lets it sync and announce itself', () => {
		const { shared, persisted } = setup();
		const reader = new FakeSub(false);
		const other = new FakeSub(true);
		shared.subscribe(reader);
		join(shared, other);
		const source = new Y.Doc();
		source.getMap('m').set('k', 'v');
		expect(shared.receive(reader, updateMessage(source))).toBe('dropped');
		expect(shared.doc.getMap('m').size).toBe(0);
		expect(persisted).toHaveLength(0);
		expect(shared.droppedWrites).toBe(1);
		expect(other.inbox).toHaveLength(1);

		const peer = new awarenessProtocol.Awareness(new Y.Doc());
		peer.setLocalState({ user: 'reader' });
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 1);
		encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(peer, [peer.clientID]));
		expect(shared.receive(reader, encoding.toUint8Array(e))).toBe('ok');
		// Awareness reaches everyone, the sender too (it keeps y-websocket's watchdog fed).
		expect(reader.types().at(-1)).toBe(1);
		expect(other.types().at(-1)).toBe(1);
		shared.unsubscribe(reader);
		const last = other.inbox.at(-1)!;
		const d = decoding.createDecoder(last);
		decoding.readVarUint(d);
		const check = new awarenessProtocol.Awareness(new Y.Doc());
		awarenessProtocol.applyAwarenessUpdate(check, decoding.readVarUint8Array(d), null);
		expect(check.getStates().has(peer.clientID)).toBe(false);
		peer.destroy();
		check.destroy();
	});

	it('reports malformed messages as bad without changing the document', () => {
		const { shared } = setup();
		const a = new FakeSub(true);
		join(shared, a);
		for (const bad of [
			[],
			[9],
			[0, 7, 0],
			[0, 2, 5, 1],
			[0, 2, 3, 1, 2, 3],
			[1, 3, 1, 2, 3],
			[3, 0],
			[0, 0, 1]
		]) {
			expect(shared.receive(a, new Uint8Array(bad)), JSON.stringify(bad)).toBe('bad');
		}
		expect(Y.encodeStateAsUpdate(shared.doc)).toEqual(Y.encodeStateAsUpdate(new Y.Doc()));
	});

	it('loads stored updates, counting any that cannot be applied', () => {
		const { shared } = setup();
		const source = new Y.Doc();
		source.getMap('m').set('k', 'v');
		shared.load([Y.encodeStateAsUpdate(source), new Uint8Array([1, 2, 3])]);
		expect(shared.doc.getMap('m').get('k')).toBe('v');
		expect(shared.loadFailures).toBe(1);
	});

	it('holds an update that builds on offline edits the relay lacks, instead of half-applying it', () => {
		const { shared, persisted } = setup();
		const author = new Y.Doc();
		const other = new FakeSub(true, 'u2');
		const sub = new FakeSub(true);
		join(shared, other);
		join(shared, sub);
		const rec = new Y.Map<unknown>();
		author.getMap('patients').set('p1', rec);
		rec.set('familyName', 'Tolvar');
		shared.receive(sub, updateMessage(author));
		expect(shared.doc.getMap('patients').toJSON()).toEqual({ p1: { familyName: 'Tolvar' } });

		// Offline: the author overwrites the field twice; only the second edit reaches the relay first.
		const before = Y.encodeStateVector(author);
		rec.set('familyName', 'Tolvar-Quen');
		const offline = Y.encodeStateAsUpdate(author, before);
		const mid = Y.encodeStateVector(author);
		rec.set('familyName', 'Quen');
		const live = Y.encodeStateAsUpdate(author, mid);
		const message = (u: Uint8Array) => {
			const e = encoding.createEncoder();
			encoding.writeVarUint(e, 0);
			syncProtocol.writeUpdate(e, u);
			return encoding.toUint8Array(e);
		};
		const storedBefore = persisted.length;
		const sentBefore = other.inbox.length;
		shared.receive(sub, message(live));
		// Nothing half-applied: the old value stays, nothing is stored or broadcast yet.
		expect(shared.doc.getMap('patients').toJSON()).toEqual({ p1: { familyName: 'Tolvar' } });
		expect(persisted.length).toBe(storedBefore);
		expect(other.inbox.length).toBe(sentBefore);
		expect(shared.heldUpdates).toBe(1);

		// The catch-up arrives: both apply, in order, and the latest value wins everywhere.
		shared.receive(sub, message(offline));
		expect(shared.heldUpdates).toBe(0);
		expect(shared.doc.getMap('patients').toJSON()).toEqual({ p1: { familyName: 'Quen' } });
		expect(persisted.length).toBe(storedBefore + 2);
	});

	it('drops what it held for a subscriber that leaves before its catch-up', () => {
		const { shared } = setup();
		const author = new Y.Doc();
		const sub = new FakeSub(true);
		join(shared, sub);
		author.getMap('m').set('a', 1);
		const sv = Y.encodeStateVector(author);
		author.getMap('m').set('b', 2);
		const e = encoding.createEncoder();
		encoding.writeVarUint(e, 0);
		syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(author, sv));
		shared.receive(sub, encoding.toUint8Array(e));
		expect(shared.heldUpdates).toBe(1);
		shared.unsubscribe(sub);
		expect(shared.heldUpdates).toBe(0);
		expect(shared.doc.getMap('m').toJSON()).toEqual({});
	});
});
