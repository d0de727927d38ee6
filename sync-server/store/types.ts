/**
 * Where the relay keeps documents: an append log of Yjs updates per document, compacted now and
 * then into one snapshot, plus the server-side audit of who sent each update (never its content).
 *
 * Callers serialize writes per document (the DocManager chains them), so `compact` may replace
 * everything stored for a document: every update appended before it is covered by the snapshot.
 */
export interface UpdateMeta {
	/** The authenticated sender (token `sub`) and role, recorded in the audit. */
	userId: string;
	role: string;
	bytes: number;
}

export interface AuditEntry {
	/** The stored update's sequence number (unique and increasing across all documents). */
	updateId: number;
	doc: string;
	at: string;
	userId: string;
	role: string;
	bytes: number;
}

export interface DocStore {
	/** The document's stored updates in order (a snapshot first once it has been compacted). */
	load(doc: string): Promise<Uint8Array[]>;
	append(doc: string, update: Uint8Array, meta: UpdateMeta): Promise<void>;
	/** Replaces everything stored for the document with one snapshot. */
	compact(doc: string, snapshot: Uint8Array): Promise<void>;
	/** The audit trail of one document, oldest first. */
	audit(doc: string, limit?: number): Promise<AuditEntry[]>;
	close(): Promise<void>;
}
