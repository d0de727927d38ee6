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
	/** Names of the stored documents that start with `prefix`, sorted. */
	listDocs(prefix: string): Promise<string[]>;
	close(): Promise<void>;
}

/**
 * A refresh token as the relay keeps it: only the SHA-256 of the token (hex) is stored, so a copy
 * of the database does not let anyone refresh. Tokens issued from one login share a `family`;
 * a token is used once (rotation), and a second use revokes the whole family.
 */
export interface RefreshTokenRow {
	hash: string;
	userId: string;
	deviceId: string;
	family: string;
	/** ms since epoch */
	expiresAt: number;
	/** ms since epoch when it was redeemed or revoked; null while it may still be used. */
	usedAt: number | null;
}

export interface RefreshTokenStore {
	findRefresh(hash: string): Promise<RefreshTokenRow | undefined>;
	insertRefresh(row: Omit<RefreshTokenRow, 'usedAt'>): Promise<void>;
	/**
	 * Marks `oldHash` used at `now` and stores `next`, in one transaction, only if `oldHash` exists
	 * and is still unused. False when someone else used it first (nothing is written then).
	 */
	rotateRefresh(oldHash: string, next: Omit<RefreshTokenRow, 'usedAt'>, now: number): Promise<boolean>;
	/** Marks every still-unused token of the family used; returns how many. */
	revokeFamily(family: string, now: number): Promise<number>;
	/** Deletes tokens that expired before `now`; returns how many. */
	pruneRefresh(now: number): Promise<number>;
}
