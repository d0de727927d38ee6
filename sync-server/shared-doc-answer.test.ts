/**
 * The relay's step-2 answers (step2-answers.ts: the answer to askers that have everything kept per
 * document version) must be byte for byte what Yjs's own `encodeStateAsUpdate`
 * gives for the same state vector at that moment, through random sequences of inserts, edits and
 * deletions — deletions change the delete set without moving any state vector, which is what a cache
 * keyed on anything but the document's version misses.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SharedDoc, type Subscriber } from './shared-doc';
import { Step2Answers } from './step2-answers';
import { rng } from '../tests/integration/support/fuzz-inputs';

const FROM_RELAY = Symbol('relay');

/** A writer: the relay's broadcasts go into its doc, so it also deletes what others wrote. */
class Sub implements Subscriber {
	readonly inbox: Uint8Array[] = [];
	constructor(readonly doc = new Y.Doc({ gc: true })) {}
	canWrite = () => true;
	identity = () => ({ userId: 'u1', role: 'front-desk' });
	send(m: Uint8Array) {
		this.inbox.push(m);
		if (m[0] === 0 && m[1] === 2) Y.applyUpdate(this.doc, bodyOf(m), FROM_RELAY);
	}
}

function bodyOf(message: Uint8Array): Uint8Array {
	const d = decoding.createDecoder(message);
	decoding.readVarUint(d);
	decoding.readVarUint(d);
	return decoding.readVarUint8Array(d);
}

const syncMessage = (step: number, body: Uint8Array) => {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint(e, step);
	encoding.writeVarUint8Array(e, body);
	return encoding.toUint8Array(e);
};

/** The body of the last sync step 2 in the inbox (and the message itself). */
function lastStep2(sub: Sub): { message: Uint8Array; body: Uint8Array } {
	const message = sub.inbox.findLast((m) => m[0] === 0 && m[1] === 1);
	if (!message) throw new Error('no step 2');
	return { message, body: bodyOf(message) };
}

/** One random change on a writer's doc: map set or delete, array insert or delete, text insert or delete. */
function edit(doc: Y.Doc, r: () => number): void {
	const n = Math.floor(r() * 6);
	const map = doc.getMap<string>('records');
	const list = doc.getArray<number>('list');
	const text = doc.getText('notes');
	const key = `k${Math.floor(r() * 8)}`;
	if (n === 0 || (n === 1 && !map.has(key))) map.set(key, `v${Math.floor(r() * 1000)}`);
	else if (n === 1) map.delete(key);
	else if (n === 2 || list.length === 0)
		list.insert(Math.floor(r() * (list.length + 1)), [Math.floor(r() * 100)]);
	else if (n === 3) {
		const at = Math.floor(r() * list.length);
		list.delete(at, 1 + Math.floor(r() * Math.min(2, list.length - at - 1)));
	} else if (n === 4 || text.length === 0)
		text.insert(Math.floor(r() * (text.length + 1)), 'abc'.slice(0, 1 + Math.floor(r() * 3)));
	else text.delete(Math.floor(r() * text.length), 1);
}

function setup() {
	const shared = new SharedDoc('schedule/2026-11', () => {});
	// The same answers, watched directly: whether the kept one is handed out (the same object).
	const answers = new Step2Answers(shared.doc);
	const writers = [1, 2, 3].map((client) => {
		const sub = new Sub();
		const doc = sub.doc;
		doc.clientID = client;
		shared.subscribe(sub);
		doc.on('update', (u: Uint8Array, origin: unknown) => {
			if (origin !== FROM_RELAY) shared.receive(sub, syncMessage(2, u));
		});
		// Caught up (an empty step 2), as every y-websocket client answers the greeting.
		shared.receive(sub, syncMessage(1, Y.encodeStateAsUpdate(new Y.Doc())));
		return { doc, sub };
	});
	return { shared, writers, answers };
}

/** Sends a step 1 with `sv` from `sub` and checks the answer against Yjs at that moment. */
function ask(shared: SharedDoc, sub: Sub, sv: Uint8Array): Uint8Array {
	const before = sub.inbox.length;
	expect(shared.receive(sub, syncMessage(0, sv))).toBe('ok');
	expect(sub.inbox.length).toBe(before + 1);
	const { body } = lastStep2(sub);
	const yjs = Y.encodeStateAsUpdate(shared.doc, sv);
	expect(body).toEqual(yjs);
	return body;
}

describe('step 2 answers', () => {
	it('are what Yjs encodes, through random edits and deletions (150 sequences)', () => {
		let cachedHits = 0;
		for (let seed = 1; seed <= 150; seed++) {
			const r = rng(seed);
			const { shared, writers, answers } = setup();
			let previous: Uint8Array | null = null;
			for (let step = 0; step < 40; step++) {
				const w = writers[Math.floor(r() * writers.length)]!;
				const roll = r();
				if (roll < 0.5) {
					edit(w.doc, r);
					previous = null;
					continue;
				}
				if (roll < 0.6) {
					// A catch-up (step 2) from the writer: mostly nothing the relay lacks.
					shared.receive(
						w.sub,
						syncMessage(1, Y.encodeStateAsUpdate(w.doc, Y.encodeStateVector(shared.doc)))
					);
					continue;
				}
				// Which state vector: the relay's own (has everything), the writer's (behind or equal),
				// one ahead of the relay, an empty one, or the relay's with a client left out.
				const relaySv = Y.decodeStateVector(Y.encodeStateVector(shared.doc));
				const kind = Math.floor(r() * 6);
				let sv: Uint8Array;
				if (kind === 0) sv = Y.encodeStateVector(shared.doc);
				else if (kind === 1) sv = Y.encodeStateVector(w.doc);
				else if (kind === 2) {
					const ahead = new Map([...relaySv].map(([c, k]) => [c, k + 5]));
					ahead.set(99, 3);
					sv = encodeSv(ahead);
				} else if (kind === 3) sv = new Uint8Array([0]);
				else if (kind === 5) {
					// Behind on one client by a few structs.
					const [client, clock] = [...relaySv][Math.floor(r() * relaySv.size)] ?? [0, 0];
					sv = encodeSv(new Map([...relaySv, [client, Math.max(0, clock - 1 - Math.floor(r() * 3))]]));
				} else {
					const first = [...relaySv.keys()][0];
					sv = encodeSv(new Map([...relaySv].filter(([c]) => c !== first)));
				}
				ask(shared, w.sub, sv);
				const direct = answers.update(sv);
				expect(direct).toEqual(Y.encodeStateAsUpdate(shared.doc, sv));
				if (kind === 0 || kind === 2) {
					// Nothing changed since the last such answer: the very same bytes, not encoded again.
					if (previous && direct === previous) cachedHits += 1;
					previous = direct;
				}
			}
			shared.destroy();
		}
		// The kept answer was really used, so the equalities above tested it.
		expect(cachedHits).toBeGreaterThan(25);
	});

	it('keeps the answer through a catch-up that changes nothing', () => {
		const { shared, writers, answers } = setup();
		const [w, other] = writers;
		w!.doc.getMap<string>('records').set('a', 'b');
		const sv = Y.encodeStateVector(shared.doc);
		const first = answers.update(sv);
		// A joining workstation's catch-up with nothing new: a transaction without changes.
		shared.receive(other!.sub, syncMessage(1, Y.encodeStateAsUpdate(other!.doc, sv)));
		expect(answers.update(sv)).toBe(first);
		expect(ask(shared, w!.sub, sv)).toEqual(first);
	});

	it('a deletion between two step 1s with the same state vector changes the answer', () => {
		const { shared, writers } = setup();
		const [w] = writers;
		const list = w!.doc.getArray<number>('list');
		list.insert(0, [1, 2, 3]);
		const sv = Y.encodeStateVector(shared.doc);
		const first = ask(shared, w!.sub, sv);
		expect(ask(shared, w!.sub, sv)).toEqual(first);
		list.delete(1, 1);
		expect(Y.encodeStateVector(shared.doc)).toEqual(sv);
		expect(ask(shared, w!.sub, sv)).not.toEqual(first);
	});
});

function encodeSv(sv: Map<number, number>): Uint8Array {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, sv.size);
	for (const [client, clock] of sv) {
		encoding.writeVarUint(e, client);
		encoding.writeVarUint(e, clock);
	}
	return encoding.toUint8Array(e);
}
