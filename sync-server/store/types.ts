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

/** One update to append, with what the audit records about it. */
export interface UpdateRow {
	update: Uint8Array;
	meta: UpdateMeta;
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
	/**
	 * Appends the rows in order, all or none (one transaction): the relay's group commit. Optional;
	 * without it the DocManager appends the rows one by one.
	 */
	appendMany?(doc: string, rows: readonly UpdateRow[]): Promise<void>;
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

/**
 * A calendar feed (feeds.ts): a capability URL for one provider's busy blocks. Only the SHA-256 of
 * the feed's token is stored. The blocks are what a workstation last published for the provider:
 * start and end instants only (JSON of `{ start, end }[]`), nothing about patients.
 */
export interface FeedInfo {
	id: string;
	providerId: string;
	/** Staff-chosen words ("Dr. Lee's phone"), checked by feeds.ts. */
	label: string;
	/** The token `sub` (a staff user id) that created it. */
	createdBy: string;
	/** ms since epoch */
	createdAt: number;
	revokedAt: number | null;
	publishedAt: number | null;
}

export interface FeedRow extends FeedInfo {
	tokenHash: string;
	timeZone: string | null;
	blocksJson: string | null;
}

export interface FeedStore {
	insertFeed(
		feed: Pick<FeedRow, 'id' | 'tokenHash' | 'providerId' | 'label' | 'createdBy' | 'createdAt'>
	): Promise<void>;
	/** Every feed, revoked ones too, oldest first; never the token hash or the blocks. */
	listFeeds(): Promise<FeedInfo[]>;
	feedByTokenHash(hash: string): Promise<FeedRow | undefined>;
	/**
	 * Revokes the feed (keeping the first revocation time) and drops its blocks. The feed as it is
	 * now, or undefined when there is no such feed.
	 */
	revokeFeed(id: string, now: number): Promise<FeedInfo | undefined>;
	/** Stores the blocks on every feed of the provider that is not revoked; returns how many. */
	publishFeedBlocks(providerId: string, timeZone: string, blocksJson: string, now: number): Promise<number>;
}
