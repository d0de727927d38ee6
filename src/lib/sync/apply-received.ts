/**
 * Applies an update received from the relay without Yjs encoding it a second time.
 *
 * While any `update` listener is attached to a Y.Doc, Yjs encodes every transaction again at its end,
 * to hand the listeners an update (`writeUpdateMessageFromTransaction`). For an update that came over
 * the wire that work is wasted: the listeners (the encrypted store, the provider, the schedule's change
 * signal) can take the bytes that were received. Measured on the first sync of the large clinic
 * (BENCHMARKS.md, "Large clinic in Chromium"): the re-encoding was 31 % of applying the patient shards
 * (4.8 of 15.5 s of CPU on a loaded machine), more than Yjs's own decoding.
 *
 * So the listeners are detached while the update is applied and then called with the received bytes,
 * the transaction's origin, the doc and the transaction — the arguments Yjs passes. The bytes may hold
 * more than Yjs integrated (structs waiting for a missing part, or parts this doc already had):
 * applying them again is a no-op for Yjs, and the store keeping them loses nothing. Like Yjs, nothing
 * is delivered when the update changed nothing. If `apply` throws, whatever part was integrated is
 * delivered as Yjs would have (encoded from the state before), and the error propagates. (y-protocols
 * catches a malformed update's error itself; then the received bytes are delivered, and the store's
 * replay reports that record as unreadable at the next open while the integrated part arrives again
 * from the relay.)
 */
import * as Y from 'yjs';

type UpdateListener = (update: Uint8Array, origin: unknown, doc: Y.Doc, tr: Y.Transaction) => void;

/** Below this size the re-encoding costs less than juggling listeners. */
const MIN_BYTES = 1024;

/**
 * Runs `apply` (which applies `update` to `doc` with `origin`, e.g. y-protocols' sync handler) with the
 * doc's `update` listeners detached, then gives them `update` itself.
 */
export function applyReceived(doc: Y.Doc, update: Uint8Array, origin: unknown, apply: () => void): void {
	// lib0's Observable keeps its listeners in `_observers` (public in its typings); Yjs encodes an
	// update at a transaction's end only when this map has an 'update' entry.
	const listeners = (doc._observers as Map<string, Set<UpdateListener>>).get('update');
	if (!listeners || listeners.size === 0 || update.length < MIN_BYTES) {
		apply();
		return;
	}
	const saved = [...listeners];
	for (const l of saved) doc.off('update', l);
	let applied: Y.Transaction | null = null;
	const seen = (tr: Y.Transaction) => {
		if (tr.origin === origin && changed(tr)) applied = tr;
	};
	doc.on('afterTransaction', seen);
	let failed = true;
	try {
		apply();
		failed = false;
	} finally {
		doc.off('afterTransaction', seen);
		for (const l of saved) doc.on('update', l);
		const tr = applied as Y.Transaction | null;
		if (tr) {
			const bytes = failed ? Y.encodeStateAsUpdate(doc, Y.encodeStateVector(tr.beforeState)) : update;
			for (const l of saved) l(bytes, origin, doc, tr);
		}
	}
}

/** What makes Yjs emit `update`: structs written or something deleted. */
function changed(tr: Y.Transaction): boolean {
	if (tr.deleteSet.clients.size > 0) return true;
	for (const [client, clock] of tr.afterState) if ((tr.beforeState.get(client) ?? 0) !== clock) return true;
	return false;
}
