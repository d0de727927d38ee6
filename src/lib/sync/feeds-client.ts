/**
 * The relay's calendar feeds as the workstation calls them (sync-server/feeds.ts is the other side).
 * Every call carries the session's relay access token; creating, revoking and publishing need a
 * role that may change the schedule, listing one that may read it.
 *
 * What is published is a provider's busy blocks only (`publishedBlocks`: start and end instants),
 * checked here before it leaves the workstation as the relay checks it again.
 */
import { z } from 'zod';
import { publishedBlocks, type PublishedBlocks } from '../domain/schedule/busy-blocks';

export const feedInfo = z.object({
	id: z.string().min(1).max(64),
	providerId: z.string().min(1).max(64),
	label: z.string().max(120),
	createdBy: z.string().max(64),
	createdAt: z.string(),
	revokedAt: z.string().nullable(),
	publishedAt: z.string().nullable()
});
export type FeedInfo = z.infer<typeof feedInfo>;

export interface CreatedFeed {
	id: string;
	/** The feed's secret, shown to the person once (it is the whole URL's power). */
	token: string;
	/** The subscription URL (`https://…/ical/<token>.ics`); `webcal://` is the same with that scheme. */
	url: string;
}

const createdResponse = z.object({
	id: z.string().min(1).max(64),
	token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
	path: z.string().regex(/^\/ical\/[A-Za-z0-9_-]{43}\.ics$/),
	url: z.string().max(2048)
});

export interface FeedIssue {
	path: string;
	message: string;
}

/** Why a call failed: a reason code the screens turn into words, and the relay's own message. */
export class FeedsError extends Error {
	override name = 'FeedsError';
	constructor(
		readonly reason:
			| 'offline'
			| 'signed-out'
			| 'forbidden'
			| 'not-found'
			| 'invalid'
			| 'too-many-feeds'
			| 'too-many-attempts'
			| 'server',
		readonly status = 0,
		/** For 'invalid' and 'too-many-feeds': what is wrong, in words (never the values sent). */
		readonly detail = '',
		readonly issues: readonly FeedIssue[] = []
	) {
		super(`Calendar feed request failed: ${reason}${detail ? ` (${detail})` : ''}`);
	}
}

export interface FeedsClientOptions {
	/** http(s) origin of the clinic server; defaults to the page's own origin. */
	baseUrl?: string;
	fetch?: typeof fetch;
}

export class FeedsClient {
	private readonly base: string;
	private readonly doFetch: typeof fetch;

	constructor(opts: FeedsClientOptions = {}) {
		this.base = opts.baseUrl ?? (typeof location !== 'undefined' ? location.origin : '');
		this.doFetch = opts.fetch ?? ((...a) => fetch(...a));
	}

	/** A new feed for the provider; `label` is 1–60 letters and spaces (and . ' -), e.g. "Dr Lee phone". */
	async createFeed(accessToken: string, providerId: string, label: string): Promise<CreatedFeed> {
		const body = createdResponse.parse(await this.call(accessToken, 'POST', '/feeds', { providerId, label }));
		// The address this workstation reaches the relay at is the one to hand out (behind a proxy
		// the relay may not know its public https address).
		const url = this.base ? new URL(body.path, this.base).href : body.url;
		return { id: body.id, token: body.token, url };
	}

	/** Every feed of the clinic, revoked ones too (with `revokedAt`), oldest first. */
	async listFeeds(accessToken: string): Promise<FeedInfo[]> {
		const body = await this.call(accessToken, 'GET', '/feeds');
		return z.object({ feeds: z.array(feedInfo).max(100_000) }).parse(body).feeds;
	}

	/** Revokes a feed: its URL answers 404 from now on. Revoking twice is fine. */
	async revokeFeed(accessToken: string, id: string): Promise<void> {
		await this.call(accessToken, 'DELETE', `/feeds/${encodeURIComponent(id)}`);
	}

	/**
	 * Replaces the busy blocks of every live feed of `payload.providerId` (build them with
	 * `busyBlocksOf`). Returns how many feeds were updated (0: the provider has none).
	 */
	async publishBlocks(accessToken: string, payload: PublishedBlocks): Promise<number> {
		const checked = publishedBlocks.safeParse(payload);
		if (!checked.success) {
			const issues = checked.error.issues
				.slice(0, 10)
				.map((i) => ({ path: i.path.join('.'), message: i.message }));
			const first = issues[0];
			throw new FeedsError('invalid', 0, first ? `${first.path}: ${first.message}` : '', issues);
		}
		const path = `/feeds/by-provider/${encodeURIComponent(checked.data.providerId)}/blocks`;
		const body = await this.call(accessToken, 'PUT', path, checked.data);
		return z.object({ feeds: z.number().int().min(0) }).parse(body).feeds;
	}

	private async call(accessToken: string, method: string, path: string, payload?: unknown): Promise<unknown> {
		let res: Response;
		try {
			res = await this.doFetch(`${this.base}${path}`, {
				method,
				headers: {
					Authorization: `Bearer ${accessToken}`,
					...(payload === undefined ? {} : { 'Content-Type': 'application/json' })
				},
				body: payload === undefined ? undefined : JSON.stringify(payload),
				cache: 'no-store'
			});
		} catch {
			throw new FeedsError('offline');
		}
		let body: unknown = null;
		try {
			body = await res.json();
		} catch {
			// A proxy's HTML error page: treated as a server problem below.
		}
		if (res.ok) return body;
		const err = (body ?? {}) as { error?: unknown; message?: unknown; issues?: unknown };
		const detail = typeof err.message === 'string' ? err.message.slice(0, 300) : '';
		const issues = z
			.array(z.object({ path: z.string().max(200), message: z.string().max(300) }))
			.max(10)
			.catch([])
			.parse(err.issues);
		if (res.status === 401) throw new FeedsError('signed-out', 401);
		if (res.status === 403) throw new FeedsError('forbidden', 403);
		if (res.status === 404) throw new FeedsError('not-found', 404);
		if (res.status === 400 || res.status === 413) throw new FeedsError('invalid', res.status, detail, issues);
		if (err.error === 'too-many-feeds') throw new FeedsError('too-many-feeds', res.status, detail);
		if (res.status === 429) throw new FeedsError('too-many-attempts', 429);
		throw new FeedsError('server', res.status);
	}
}
