import type {
	AuditEntry,
	DocStore,
	FeedInfo,
	FeedRow,
	FeedStore,
	RefreshTokenRow,
	RefreshTokenStore,
	UpdateMeta,
	UpdateRow
} from './types';

/** Keeps everything in memory: for tests, and for a relay that must not write to disk. */
export class MemoryStore implements DocStore, RefreshTokenStore, FeedStore {
	private readonly docs = new Map<string, Uint8Array[]>();
	private readonly trail: AuditEntry[] = [];
	private seq = 0;
	private readonly refresh = new Map<string, RefreshTokenRow>();
	private readonly feeds = new Map<string, FeedRow>();
	closed = false;

	async load(doc: string): Promise<Uint8Array[]> {
		this.assertOpen();
		return [...(this.docs.get(doc) ?? [])];
	}

	async listDocs(prefix: string): Promise<string[]> {
		this.assertOpen();
		return [...this.docs.keys()].filter((d) => d.startsWith(prefix)).sort();
	}

	async append(doc: string, update: Uint8Array, meta: UpdateMeta): Promise<void> {
		this.assertOpen();
		const list = this.docs.get(doc) ?? [];
		list.push(update.slice());
		this.docs.set(doc, list);
		this.seq += 1;
		this.trail.push({ updateId: this.seq, doc, at: new Date().toISOString(), ...meta });
	}

	async appendMany(doc: string, rows: readonly UpdateRow[]): Promise<void> {
		this.assertOpen();
		// Each append takes effect when called, so all of them do or (closed) none.
		await Promise.all(rows.map(({ update, meta }) => this.append(doc, update, meta)));
	}

	async compact(doc: string, snapshot: Uint8Array): Promise<void> {
		this.assertOpen();
		this.docs.set(doc, [snapshot.slice()]);
	}

	async audit(doc: string, limit = 1000): Promise<AuditEntry[]> {
		return this.trail.filter((e) => e.doc === doc).slice(0, limit);
	}

	/** How many rows the document has (tests check compaction with it). */
	rowCount(doc: string): number {
		return this.docs.get(doc)?.length ?? 0;
	}

	async findRefresh(hash: string): Promise<RefreshTokenRow | undefined> {
		this.assertOpen();
		const row = this.refresh.get(hash);
		return row ? { ...row } : undefined;
	}

	async insertRefresh(row: Omit<RefreshTokenRow, 'usedAt'>): Promise<void> {
		this.assertOpen();
		if (this.refresh.has(row.hash)) throw new Error('refresh token already stored');
		this.refresh.set(row.hash, { ...row, usedAt: null });
	}

	async rotateRefresh(oldHash: string, next: Omit<RefreshTokenRow, 'usedAt'>, now: number): Promise<boolean> {
		this.assertOpen();
		const old = this.refresh.get(oldHash);
		if (!old || old.usedAt !== null) return false;
		if (this.refresh.has(next.hash)) throw new Error('refresh token already stored');
		old.usedAt = now;
		this.refresh.set(next.hash, { ...next, usedAt: null });
		return true;
	}

	async revokeFamily(family: string, now: number): Promise<number> {
		this.assertOpen();
		let n = 0;
		for (const row of this.refresh.values()) {
			if (row.family === family && row.usedAt === null) {
				row.usedAt = now;
				n += 1;
			}
		}
		return n;
	}

	async pruneRefresh(now: number): Promise<number> {
		this.assertOpen();
		let n = 0;
		for (const [hash, row] of this.refresh) {
			if (row.expiresAt < now) {
				this.refresh.delete(hash);
				n += 1;
			}
		}
		return n;
	}

	async insertFeed(feed: Parameters<FeedStore['insertFeed']>[0]): Promise<void> {
		this.assertOpen();
		if (this.feeds.has(feed.id) || [...this.feeds.values()].some((f) => f.tokenHash === feed.tokenHash)) {
			throw new Error('feed already stored');
		}
		this.feeds.set(feed.id, {
			...feed,
			revokedAt: null,
			publishedAt: null,
			timeZone: null,
			blocksJson: null
		});
	}

	async listFeeds(): Promise<FeedInfo[]> {
		this.assertOpen();
		return [...this.feeds.values()]
			.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
			.map(infoOf);
	}

	async feedByTokenHash(hash: string): Promise<FeedRow | undefined> {
		this.assertOpen();
		for (const f of this.feeds.values()) if (f.tokenHash === hash) return { ...f };
		return undefined;
	}

	async revokeFeed(id: string, now: number): Promise<FeedInfo | undefined> {
		this.assertOpen();
		const f = this.feeds.get(id);
		if (!f) return undefined;
		f.revokedAt ??= now;
		f.blocksJson = f.timeZone = null;
		return infoOf(f);
	}

	async publishFeedBlocks(
		providerId: string,
		timeZone: string,
		blocksJson: string,
		now: number
	): Promise<number> {
		this.assertOpen();
		let n = 0;
		for (const f of this.feeds.values()) {
			if (f.providerId !== providerId || f.revokedAt !== null) continue;
			Object.assign(f, { timeZone, blocksJson, publishedAt: now });
			n += 1;
		}
		return n;
	}

	async close(): Promise<void> {
		this.closed = true;
	}

	private assertOpen(): void {
		if (this.closed) throw new Error('store is closed');
	}
}

function infoOf(f: FeedRow): FeedInfo {
	const { id, providerId, label, createdBy, createdAt, revokedAt, publishedAt } = f;
	return { id, providerId, label, createdBy, createdAt, revokedAt, publishedAt };
}
