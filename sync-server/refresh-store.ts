/**
 * Refresh tokens for the login API: 32 random bytes (base64url) handed to the workstation once;
 * the relay keeps only their SHA-256, so a copy of relay.sqlite cannot be used to refresh.
 *
 * Each login starts a family. A refresh redeems the presented token and issues the next one of the
 * family (rotation); a token presented a second time means two parties hold it — the workstation
 * and whoever copied it — so the whole family is revoked and both must log in again.
 */
import crypto from 'node:crypto';
import type { RefreshTokenRow, RefreshTokenStore } from './store/types';

const TOKEN_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
/** Expired rows are deleted at most this often (they are kept until then to recognise reuse). */
const PRUNE_EVERY_MS = 3600_000;

export type Redeemable =
	| { ok: true; row: RefreshTokenRow }
	| { ok: false; reason: 'unknown' | 'expired' | 'reused'; family?: string };

export interface Issued {
	token: string;
	expiresAt: number;
	family: string;
}

export function refreshHash(token: string): string {
	return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export class RefreshTokens {
	private lastPrune = 0;

	constructor(
		private readonly store: RefreshTokenStore,
		private readonly lifetimeMs: number,
		private readonly now: () => number = Date.now
	) {}

	/** A new family's first token (at login). */
	async issue(userId: string, deviceId: string): Promise<Issued> {
		await this.prune();
		const next = this.next(userId, deviceId, crypto.randomUUID());
		await this.store.insertRefresh(next.row);
		return next.issued;
	}

	/**
	 * Whether `token` may be redeemed, without redeeming it (the caller still has to check the user).
	 * A token that was already used revokes its family here.
	 */
	async check(token: string): Promise<Redeemable> {
		if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'unknown' };
		const row = await this.store.findRefresh(refreshHash(token));
		if (!row) return { ok: false, reason: 'unknown' };
		if (row.usedAt !== null) {
			await this.store.revokeFamily(row.family, this.now());
			return { ok: false, reason: 'reused', family: row.family };
		}
		if (row.expiresAt <= this.now()) return { ok: false, reason: 'expired', family: row.family };
		return { ok: true, row };
	}

	/**
	 * Redeems `row` and issues the family's next token, atomically. Null when the token was redeemed
	 * in the meantime (a concurrent reuse): the family is revoked then.
	 */
	async rotate(row: RefreshTokenRow): Promise<Issued | null> {
		const next = this.next(row.userId, row.deviceId, row.family);
		if (await this.store.rotateRefresh(row.hash, next.row, this.now())) return next.issued;
		await this.revoke(row.family);
		return null;
	}

	async revoke(family: string): Promise<void> {
		await this.store.revokeFamily(family, this.now());
	}

	private next(userId: string, deviceId: string, family: string) {
		const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
		const expiresAt = this.now() + this.lifetimeMs;
		return {
			issued: { token, expiresAt, family },
			row: { hash: refreshHash(token), userId, deviceId, family, expiresAt }
		};
	}

	private async prune(): Promise<void> {
		const now = this.now();
		if (now - this.lastPrune < PRUNE_EVERY_MS) return;
		this.lastPrune = now;
		await this.store.pruneRefresh(now);
	}
}
