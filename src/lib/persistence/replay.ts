/**
 * Replays stored records into a Y.Doc, one record's failure never stopping the others.
 *
 * Records are decrypted in parallel (WebCrypto work, independent per record) and applied in key order inside
 * one Yjs transaction, so observers see a single change rather than one per record. Applying with the store as
 * origin tells the store's own update listener that these bytes are already stored.
 *
 * Yjs causality still applies: if a lost record held an earlier part of some client's history, that client's
 * later records are held back by Yjs as pending (not dropped) until the gap arrives, e.g. from sync.
 */
import * as Y from 'yjs';
import { unseal } from './crypto';
import { problem, type Problem } from './errors';
import { isStoredRecord, type RawRecord } from './records';

export interface ReplayContext {
	doc: Y.Doc;
	docName: string;
	key: CryptoKey;
	/** Older versions of the key (after a rotation), tried when `key` does not open a record. */
	olderKeys?: readonly CryptoKey[];
	aad: Uint8Array;
	origin: unknown;
	/**
	 * The store's own `update` listener, detached while the records are applied. They are stored
	 * already, and while any `update` listener is attached Yjs encodes the whole applied state again
	 * for it (measured: ~170 ms of a cold open's ~500 ms replay). Nothing else can change the doc
	 * during the synchronous apply, so no edit goes unrecorded.
	 */
	listener?: (update: Uint8Array, origin: unknown) => void;
}

export interface ReplayResult {
	/** Keys whose records were decrypted and applied: the only ones compaction may replace. */
	applied: number[];
	/** Keys that failed, with what to report. */
	failed: { key: number; problem: Problem }[];
}

async function decrypt(ctx: ReplayContext, record: RawRecord): Promise<Uint8Array | null> {
	const value = record.value;
	// A record whose `doc` field was edited to point here is also refused by the AAD check in unseal.
	if (!isStoredRecord(value) || value.doc !== ctx.docName) return null;
	for (const key of [ctx.key, ...(ctx.olderKeys ?? [])]) {
		try {
			return await unseal(key, value, ctx.aad);
		} catch {
			// wrong key, altered bytes, or a record copied from another document: try the next key
		}
	}
	return null;
}

/** Decrypts `records` and applies the readable ones to the doc, in key order. */
export async function replay(ctx: ReplayContext, records: RawRecord[]): Promise<ReplayResult> {
	const opened = await Promise.all(records.map((r) => decrypt(ctx, r)));
	const result: ReplayResult = { applied: [], failed: [] };
	const quiet = ctx.listener;
	if (quiet) ctx.doc.off('update', quiet);
	try {
		apply(ctx, records, opened, result);
	} finally {
		if (quiet) ctx.doc.on('update', quiet);
	}
	return result;
}

function apply(
	ctx: ReplayContext,
	records: RawRecord[],
	opened: (Uint8Array | null)[],
	result: ReplayResult
): void {
	ctx.doc.transact(() => {
		opened.forEach((update, i) => {
			const key = records[i]?.key;
			if (key === undefined) return;
			if (update === null) {
				result.failed.push({ key, problem: problem.decrypt(key) });
				return;
			}
			try {
				Y.applyUpdate(ctx.doc, update, ctx.origin);
				result.applied.push(key);
			} catch {
				result.failed.push({ key, problem: problem.apply(key) });
			}
		});
	}, ctx.origin);
}
