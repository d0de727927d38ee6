/**
 * The relay's sync step 2 answers for one document: byte for byte what `Y.encodeStateAsUpdate(doc,
 * stateVector)` gives (shared-doc-answer.test.ts checks that through random edits), without walking
 * the whole document for each one.
 *
 * Yjs writes the whole delete set into every answer, and finding it walks every struct of the
 * document: 2–9 ms for a month of the large clinic, 13–21 ms for its patients, on the relay's one
 * thread, for every step 1 — each workstation's resync every minute, its barrier a second after its
 * edits, every subscriber joining. An answer is the structs the asker lacks, then that delete set
 * (update format v1 keeps no state between the two parts). So the delete set is encoded once per
 * version of the document (the answer to an asker that has everything: no structs, then the delete
 * set), and an asker that lacks a few clients' latest structs gets those clients' structs — Yjs
 * encoding a view of the document that holds only them — followed by the kept delete set. An asker
 * lacking most of the document (a new workstation) is answered by Yjs as before: one walk either way.
 * With pending structs or deletions (which Yjs adds to its answers) every answer is Yjs's own.
 */
import * as Y from 'yjs';

type Structs = Y.Doc['store']['clients'] extends Map<number, infer S> ? S : never;

export class Step2Answers {
	/** The answer to an asker that has everything: 0 clients of structs, then the delete set. */
	private upToDate: Uint8Array | null = null;
	/** Answers written from a view of the clients the asker lacks (what tests check was exercised). */
	partialAnswers = 0;

	constructor(private readonly doc: Y.Doc) {
		doc.on('afterTransaction', this.drop);
	}

	/** The update a sync step 2 carries for `stateVector` (already checked to decode). */
	update(stateVector: Uint8Array): Uint8Array {
		const store = this.doc.store;
		if (store.pendingStructs || store.pendingDs) return Y.encodeStateAsUpdate(this.doc, stateVector);
		const theirs = Y.decodeStateVector(stateVector);
		const behind = new Map<number, Structs>();
		let lacking = 0;
		let total = 0;
		for (const [client, structs] of store.clients) {
			total += structs.length;
			const last = structs[structs.length - 1];
			const theirClock = theirs.get(client);
			// A client missing from theirs is written from clock 0 by Yjs, whatever its structs.
			if (theirClock === undefined || (last && theirClock < last.id.clock + last.length)) {
				behind.set(client, structs);
				lacking += structs.length;
			}
		}
		if (behind.size > 0 && 2 * lacking > total) return Y.encodeStateAsUpdate(this.doc, stateVector);
		this.upToDate ??= Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.doc));
		if (behind.size === 0) return this.upToDate;
		// Yjs on a view holding only the clients they lack: their structs, then those clients' deletions.
		this.partialAnswers += 1;
		const view = { store: { clients: behind, pendingStructs: null, pendingDs: null } } as unknown as Y.Doc;
		const withOwnDeletions = Y.encodeStateAsUpdate(view, stateVector);
		const ownDeletions = Y.encodeStateAsUpdate(view, Y.encodeStateVector(view)).length - 1;
		const structs = withOwnDeletions.subarray(0, withOwnDeletions.length - ownDeletions);
		const deletions = this.upToDate.subarray(1);
		const out = new Uint8Array(structs.length + deletions.length);
		out.set(structs);
		out.set(deletions, structs.length);
		return out;
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
