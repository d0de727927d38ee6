/**
 * The embedded store: one SQLite file (better-sqlite3) in DATA_DIR. WAL mode lets the audit be read
 * while the relay writes; synchronous=NORMAL makes a commit survive a crash of the process (the
 * WAL is written before `append` returns) and risks only the last commits on power loss, which the
 * workstations re-send on their next sync because they keep every update locally.
 *
 * `updates` is the append log (a compaction replaces a document's rows with one snapshot row);
 * `audit` keeps who sent each update, when and how large — never the content — and outlives
 * compaction. Update ids come from AUTOINCREMENT, so they are never reused.
 *
 * `refresh_tokens` (schema 2) holds the SHA-256 of each refresh token the login API issued, never
 * the token itself (see RefreshTokenStore).
 *
 * `calendar_feeds` (schema 3) holds the calendar feeds (FeedStore): the SHA-256 of each feed's token,
 * never the token, and the busy blocks last published for the provider (instants only).
 */
import Database from 'better-sqlite3';
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

const SCHEMA_VERSION = 3;

interface AuditRow {
	update_id: number;
	doc: string;
	at: string;
	user_id: string;
	role: string;
	bytes: number;
}

interface RefreshRow {
	hash: string;
	user_id: string;
	device_id: string;
	family: string;
	expires_at: number;
	used_at: number | null;
}

type NewRefresh = Omit<RefreshTokenRow, 'usedAt'>;

interface FeedDbRow {
	id: string;
	token_hash: string;
	provider_id: string;
	label: string;
	created_by: string;
	created_at: number;
	revoked_at: number | null;
	blocks_json: string | null;
	time_zone: string | null;
	published_at: number | null;
}

type NewFeed = Parameters<FeedStore['insertFeed']>[0];
const FEED_INFO = 'id, provider_id, label, created_by, created_at, revoked_at, published_at';

/** Rows per INSERT statement when appending a batch (6 parameters a row, far below SQLite's limit). */
const ROWS_PER_INSERT = 50;

interface BatchInsert {
	updates: Database.Statement<unknown[], number>;
	audit: Database.Statement<unknown[]>;
}

export class SqliteStore implements DocStore, RefreshTokenStore, FeedStore {
	private readonly db: Database.Database;
	private readonly selectDoc: Database.Statement<[string], { data: Buffer }>;
	private readonly insertUpdate: Database.Statement<[string, Buffer, number, string]>;
	/** Multi-row INSERTs for batches, by number of rows (at most ROWS_PER_INSERT). */
	private readonly batchInserts = new Map<number, BatchInsert>();
	private readonly deleteDoc: Database.Statement<[string]>;
	private readonly selectAudit: Database.Statement<[string, number], AuditRow>;
	private readonly appendTx: (doc: string, rows: readonly UpdateRow[]) => void;
	private readonly compactTx: (doc: string, snapshot: Uint8Array) => void;
	private readonly selectRefresh: Database.Statement<[string], RefreshRow>;
	private readonly insertRefreshRow: Database.Statement<[string, string, string, string, number]>;
	private readonly useRefresh: Database.Statement<[number, string]>;
	private readonly revokeRefresh: Database.Statement<[number, string]>;
	private readonly deleteExpired: Database.Statement<[number]>;
	private readonly rotateTx: (oldHash: string, next: NewRefresh, now: number) => boolean;

	constructor(file: string) {
		this.db = new Database(file);
		this.db.pragma('journal_mode = WAL');
		this.db.pragma('synchronous = NORMAL');
		this.db.pragma('busy_timeout = 5000');
		this.migrate();
		this.selectDoc = this.db.prepare('SELECT data FROM updates WHERE doc = ? ORDER BY id');
		this.insertUpdate = this.db.prepare('INSERT INTO updates (doc, data, snapshot, at) VALUES (?, ?, ?, ?)');
		this.deleteDoc = this.db.prepare('DELETE FROM updates WHERE doc = ?');
		this.selectAudit = this.db.prepare(
			'SELECT update_id, doc, at, user_id, role, bytes FROM audit WHERE doc = ? ORDER BY id LIMIT ?'
		);
		// One transaction per batch (a commit costs more than the rest of an update's handling), and
		// one statement per many rows, which halves the CPU time per row against a statement each.
		this.appendTx = this.db.transaction((doc: string, rows: readonly UpdateRow[]) => {
			const at = new Date().toISOString();
			for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
				const end = Math.min(rows.length, start + ROWS_PER_INSERT);
				const insert = this.batchInsert(end - start);
				const updateArgs: unknown[] = [];
				for (let i = start; i < end; i++) updateArgs.push(doc, asBuffer(rows[i]!.update), at);
				// RETURNING promises no order; ids grow in insertion order, so sorted they match the rows.
				const ids = insert.updates.all(...updateArgs).sort((a, b) => a - b);
				const auditArgs: unknown[] = [];
				for (let i = start; i < end; i++) {
					const { userId, role, bytes } = rows[i]!.meta;
					auditArgs.push(ids[i - start], doc, at, userId, role, bytes);
				}
				insert.audit.run(...auditArgs);
			}
		});
		this.compactTx = this.db.transaction((doc: string, snapshot: Uint8Array) => {
			this.deleteDoc.run(doc);
			this.insertUpdate.run(doc, asBuffer(snapshot), 1, new Date().toISOString());
		});
		this.selectRefresh = this.db.prepare(
			'SELECT hash, user_id, device_id, family, expires_at, used_at FROM refresh_tokens WHERE hash = ?'
		);
		this.insertRefreshRow = this.db.prepare(
			'INSERT INTO refresh_tokens (hash, user_id, device_id, family, expires_at) VALUES (?, ?, ?, ?, ?)'
		);
		this.useRefresh = this.db.prepare(
			'UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL'
		);
		this.revokeRefresh = this.db.prepare(
			'UPDATE refresh_tokens SET used_at = ? WHERE family = ? AND used_at IS NULL'
		);
		this.deleteExpired = this.db.prepare('DELETE FROM refresh_tokens WHERE expires_at < ?');
		this.rotateTx = this.db.transaction((oldHash: string, next: NewRefresh, now: number) => {
			if (this.useRefresh.run(now, oldHash).changes !== 1) return false;
			this.insertRefreshRow.run(next.hash, next.userId, next.deviceId, next.family, next.expiresAt);
			return true;
		});
	}

	private batchInsert(rows: number): BatchInsert {
		let insert = this.batchInserts.get(rows);
		if (!insert) {
			const values = (row: string) => Array.from({ length: rows }, () => row).join(', ');
			insert = {
				updates: this.db
					.prepare<unknown[], number>(
						`INSERT INTO updates (doc, data, snapshot, at) VALUES ${values('(?, ?, 0, ?)')} RETURNING id`
					)
					.pluck(),
				audit: this.db.prepare(
					`INSERT INTO audit (update_id, doc, at, user_id, role, bytes) VALUES ${values('(?, ?, ?, ?, ?, ?)')}`
				)
			};
			this.batchInserts.set(rows, insert);
		}
		return insert;
	}

	private migrate(): void {
		const version = this.db.pragma('user_version', { simple: true }) as number;
		if (version > SCHEMA_VERSION) {
			throw new Error(`relay.sqlite is from a newer relay (schema ${version}); refusing to open it`);
		}
		this.db.exec(`
			CREATE TABLE IF NOT EXISTS updates (
				id INTEGER PRIMARY KEY AUTOINCREMENT,
				doc TEXT NOT NULL,
				data BLOB NOT NULL,
				snapshot INTEGER NOT NULL DEFAULT 0,
				at TEXT NOT NULL
			);
			CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc, id);
			CREATE TABLE IF NOT EXISTS audit (
				id INTEGER PRIMARY KEY AUTOINCREMENT,
				update_id INTEGER NOT NULL,
				doc TEXT NOT NULL,
				at TEXT NOT NULL,
				user_id TEXT NOT NULL,
				role TEXT NOT NULL,
				bytes INTEGER NOT NULL
			);
			CREATE INDEX IF NOT EXISTS audit_by_doc ON audit (doc, id);
			CREATE TABLE IF NOT EXISTS refresh_tokens (
				hash TEXT PRIMARY KEY,
				user_id TEXT NOT NULL,
				device_id TEXT NOT NULL,
				family TEXT NOT NULL,
				expires_at INTEGER NOT NULL,
				used_at INTEGER
			);
			CREATE INDEX IF NOT EXISTS refresh_by_family ON refresh_tokens (family);
			CREATE INDEX IF NOT EXISTS refresh_by_expiry ON refresh_tokens (expires_at);
			CREATE TABLE IF NOT EXISTS calendar_feeds (
				id TEXT PRIMARY KEY,
				token_hash TEXT NOT NULL UNIQUE,
				provider_id TEXT NOT NULL,
				label TEXT NOT NULL,
				created_by TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				revoked_at INTEGER,
				blocks_json TEXT,
				time_zone TEXT,
				published_at INTEGER
			);
			CREATE INDEX IF NOT EXISTS feeds_by_provider ON calendar_feeds (provider_id);
		`);
		this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
	}

	async load(doc: string): Promise<Uint8Array[]> {
		return this.selectDoc.all(doc).map((r) => new Uint8Array(r.data));
	}

	async append(doc: string, update: Uint8Array, meta: UpdateMeta): Promise<void> {
		this.appendTx(doc, [{ update, meta }]);
	}

	async appendMany(doc: string, rows: readonly UpdateRow[]): Promise<void> {
		this.appendTx(doc, rows);
	}

	async listDocs(prefix: string): Promise<string[]> {
		// A range on the primary ordering rather than LIKE, whose wildcards the prefix might contain.
		const rows = this.db
			.prepare<[string, string], { doc: string }>(
				'SELECT DISTINCT doc FROM updates WHERE doc >= ? AND doc < ? ORDER BY doc'
			)
			.all(prefix, `${prefix}\uffff`);
		return rows.map((r) => r.doc);
	}

	async compact(doc: string, snapshot: Uint8Array): Promise<void> {
		this.compactTx(doc, snapshot);
	}

	async audit(doc: string, limit = 1000): Promise<AuditEntry[]> {
		return this.selectAudit.all(doc, limit).map((r) => ({
			updateId: r.update_id,
			doc: r.doc,
			at: r.at,
			userId: r.user_id,
			role: r.role,
			bytes: r.bytes
		}));
	}

	async findRefresh(hash: string): Promise<RefreshTokenRow | undefined> {
		const r = this.selectRefresh.get(hash);
		return r
			? {
					hash: r.hash,
					userId: r.user_id,
					deviceId: r.device_id,
					family: r.family,
					expiresAt: r.expires_at,
					usedAt: r.used_at
				}
			: undefined;
	}

	async insertRefresh(row: NewRefresh): Promise<void> {
		this.insertRefreshRow.run(row.hash, row.userId, row.deviceId, row.family, row.expiresAt);
	}

	async rotateRefresh(oldHash: string, next: NewRefresh, now: number): Promise<boolean> {
		return this.rotateTx(oldHash, next, now);
	}

	async revokeFamily(family: string, now: number): Promise<number> {
		return this.revokeRefresh.run(now, family).changes;
	}

	async pruneRefresh(now: number): Promise<number> {
		return this.deleteExpired.run(now).changes;
	}

	async insertFeed(feed: NewFeed): Promise<void> {
		this.db
			.prepare(
				`INSERT INTO calendar_feeds (id, token_hash, provider_id, label, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`
			)
			.run(feed.id, feed.tokenHash, feed.providerId, feed.label, feed.createdBy, feed.createdAt);
	}

	async listFeeds(): Promise<FeedInfo[]> {
		return this.db
			.prepare<[], FeedDbRow>(`SELECT ${FEED_INFO} FROM calendar_feeds ORDER BY created_at, id`)
			.all()
			.map(feedInfo);
	}

	async feedByTokenHash(hash: string): Promise<FeedRow | undefined> {
		const r = this.db
			.prepare<[string], FeedDbRow>('SELECT * FROM calendar_feeds WHERE token_hash = ?')
			.get(hash);
		return r
			? { ...feedInfo(r), tokenHash: r.token_hash, timeZone: r.time_zone, blocksJson: r.blocks_json }
			: undefined;
	}

	async revokeFeed(id: string, now: number): Promise<FeedInfo | undefined> {
		this.db
			.prepare(
				`UPDATE calendar_feeds SET revoked_at = coalesce(revoked_at, ?), blocks_json = NULL, time_zone = NULL
				WHERE id = ?`
			)
			.run(now, id);
		const r = this.db
			.prepare<[string], FeedDbRow>(`SELECT ${FEED_INFO} FROM calendar_feeds WHERE id = ?`)
			.get(id);
		return r ? feedInfo(r) : undefined;
	}

	async publishFeedBlocks(
		providerId: string,
		timeZone: string,
		blocksJson: string,
		now: number
	): Promise<number> {
		return this.db
			.prepare(
				`UPDATE calendar_feeds SET blocks_json = ?, time_zone = ?, published_at = ?
				WHERE provider_id = ? AND revoked_at IS NULL`
			)
			.run(blocksJson, timeZone, now, providerId).changes;
	}

	async close(): Promise<void> {
		if (this.db.open) this.db.close();
	}
}

function feedInfo(r: FeedDbRow): FeedInfo {
	return {
		id: r.id,
		providerId: r.provider_id,
		label: r.label,
		createdBy: r.created_by,
		createdAt: r.created_at,
		revokedAt: r.revoked_at,
		publishedAt: r.published_at
	};
}

/** better-sqlite3 binds Buffers as BLOBs; a Buffer over the same memory avoids a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
