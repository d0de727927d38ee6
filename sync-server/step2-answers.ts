/**
 * The relay's sync step 2 answers for one document: byte for byte what `Y.encodeStateAsUpdate(doc,
 * stateVector)` gives (shared-doc-answer.test.ts checks that through random edits).
 *
 * Yjs writes the whole delete set into every answer, and finding it walks every struct of the
 * document on the relay's one thread, for every step 1: each workstation's resync every minute, its
 * barrier a second after its edits, every subscriber joining. Most of those askers already have
 * everything, and the answer to all of them is the same bytes (no structs, then the delete set), so
 * it is encoded once per version of the document. Other askers, and any asker while Yjs holds
 * pending structs or deletions (which it adds to its answers), get Yjs's own answer.
 *
 * Measured (bench/relay-answers.bench.ts, BENCHMARKS.md "Large clinic in Chromium"): with records in
 * the overlay layout a fresh answer is small — 1.8 ms for all 61 documents of the large clinic, at
 * most 0.1 ms for one — and kept, 0.4 ms. Writing only the structs a slightly-behind asker lacks
 * before a kept delete set was tried and measured no faster (0.93×), so it is not done.
 */
import * as Y from 'yjs';

export class Step2Answers {
	/** The answer to an asker that has everything: 0 clients of structs, then the delete set. */
	private upToDate: Uint8Array | null = null;

	constructor(private readonly doc: Y.Doc) {
		doc.on('afterTransaction', this.drop);
	}

	/** The update a sync step 2 carries for `stateVector` (already checked to decode). */
	update(stateVector: Uint8Array): Uint8Array {
		const store = this.doc.store;
		if (store.pendingStructs || store.pendingDs || !this.hasEverything(stateVector)) {
			return Y.encodeStateAsUpdate(this.doc, stateVector);
		}
		this.upToDate ??= Y.encodeStateAsUpdate(this.doc, stateVector);
		return this.upToDate;
	}

	/** True when `stateVector` has every client of the document at or beyond its clock here. */
	private hasEverything(stateVector: Uint8Array): boolean {
		const theirs = Y.decodeStateVector(stateVector);
		for (const [client, structs] of this.doc.store.clients) {
			const last = structs[structs.length - 1];
			const theirClock = theirs.get(client);
			// A client missing from theirs is written from clock 0 by Yjs, whatever its structs.
			if (theirClock === undefined || (last && theirClock < last.id.clock + last.length)) return false;
		}
		return true;
	}

	destroy(): void {
		this.doc.off('afterTransaction', this.drop);
		this.upToDate = null;
	}

	/**
	 * After every transaction that changed the document, as Yjs decides it for its `update` event (new
	 * structs or deletions). Not after the others: each subscriber's catch-up on joining is a
	 * transaction, mostly empty, and would otherwise drop the kept answer right before its step 1.
	 */
	private readonly drop = (tr: Y.Transaction): void => {
		if (tr.deleteSet.clients.size > 0) this.upToDate = null;
		else
			for (const [client, clock] of tr.afterState)
				if (tr.beforeState.get(client) !== clock) this.upToDate = null;
	};
}
