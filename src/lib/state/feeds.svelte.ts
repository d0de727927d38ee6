/**
 * Calendar feeds (issue "Scheduling", point 10). The relay serves a provider's busy times at a
 * secret URL; what it serves is what a workstation last published. So while a person who may change
 * the schedule is logged in on a server workstation, this class republishes the busy blocks of every
 * provider with a live feed a few seconds after the schedule changes — times only, never who or why.
 */
import { addDays } from '../domain';
// Types only: the feed client and the busy-block builder load on first use (a publish, the admin
// screen), not with the app.
import type { FeedsClient, FeedInfo } from '../sync/feeds-client';
import type { ScheduleState } from './schedule.svelte';
import type { WorkspaceState } from './workspace.svelte';

/** How far back and ahead a feed reaches (the schedule keeps these months open anyway). */
const DAYS_BACK = 7;
const DAYS_AHEAD = 90;
const PUBLISH_DELAY_MS = 5_000;

export class FeedsState {
	feeds = $state.raw<FeedInfo[]>([]);
	error = $state<string | null>(null);
	/** The last publish, for the admin screen. */
	publishedAt = $state<string | null>(null);
	private timer: ReturnType<typeof setTimeout> | null = null;
	/** The feed list is fetched once per session before the first publish. */
	private loaded = false;
	private publishing = false;
	/** What each provider's feed last received, so an unchanged schedule is not sent again. */
	private readonly sent = new Map<string, string>();

	constructor(
		private readonly ws: WorkspaceState,
		private readonly schedule: ScheduleState,
		private readonly client: FeedsApi = lazyFeedsClient(),
		private readonly delayMs = PUBLISH_DELAY_MS
	) {}

	get available(): boolean {
		return this.ws.accessToken() !== null;
	}

	async load(): Promise<void> {
		const token = this.ws.accessToken();
		if (!token) return;
		try {
			this.feeds = await this.client.listFeeds(token);
			this.error = null;
		} catch (e) {
			this.error = describe(e);
		}
	}

	/** Creates a feed and publishes its blocks at once; returns the subscription URL (shown once). */
	async create(providerId: string, label: string): Promise<string | null> {
		const token = this.ws.accessToken();
		if (!token) return null;
		try {
			const created = await this.client.createFeed(token, providerId, label);
			this.ws.audit('create', 'calendar-feed');
			await this.load();
			this.sent.delete(providerId);
			await this.publishNow();
			this.error = null;
			return created.url;
		} catch (e) {
			this.error = describe(e);
			return null;
		}
	}

	async revoke(id: string): Promise<void> {
		const token = this.ws.accessToken();
		if (!token) return;
		try {
			await this.client.revokeFeed(token, id);
			this.ws.audit('delete', 'calendar-feed');
			await this.load();
		} catch (e) {
			this.error = describe(e);
		}
	}

	/** Called when the schedule changed: publishes once things settle. */
	schedulePublish(): void {
		if (!this.available || !this.schedule.canWrite || this.publishing) return;
		if (!this.loaded) {
			this.loaded = true;
			void this.load().then(() => this.schedulePublish());
			return;
		}
		if (!this.feeds.some((f) => !f.revokedAt)) return;
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => void this.publishNow(), this.delayMs);
	}

	async publishNow(): Promise<void> {
		this.timer = null;
		const token = this.ws.accessToken();
		if (!token || !this.schedule.canWrite) return;
		const providers = new Set(this.feeds.filter((f) => !f.revokedAt).map((f) => f.providerId));
		if (providers.size === 0) return;
		const today = this.schedule.today();
		const from = new Date(Date.parse(`${addDays(today, -DAYS_BACK)}T00:00:00Z`) - 86_400_000).toISOString();
		const to = new Date(Date.parse(`${addDays(today, DAYS_AHEAD + 1)}T00:00:00Z`)).toISOString();
		this.publishing = true;
		try {
			await this.schedule.ensureMonths(from, to);
			const all = this.schedule.loadedAppointments();
			for (const providerId of providers) {
				const { busyBlocksOf, MAX_PUBLISHED_BLOCKS } = await import('../domain/schedule/busy-blocks');
				const blocks = busyBlocksOf(all, providerId, from, to).slice(0, MAX_PUBLISHED_BLOCKS);
				const digest = JSON.stringify(blocks);
				if (this.sent.get(providerId) === digest) continue;
				await this.client.publishBlocks(token, { providerId, timeZone: this.schedule.timeZone, blocks });
				this.sent.set(providerId, digest);
			}
			this.publishedAt = new Date().toISOString();
			this.error = null;
		} catch (e) {
			// Offline or signed out: the next change (or the next login) publishes again.
			this.error = describe(e);
		} finally {
			this.publishing = false;
		}
	}

	reset(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.feeds = [];
		this.error = null;
		this.loaded = false;
		this.sent.clear();
	}
}

type FeedsApi = Pick<FeedsClient, 'listFeeds' | 'createFeed' | 'revokeFeed' | 'publishBlocks'>;

function lazyFeedsClient(): FeedsApi {
	let client: Promise<FeedsClient> | null = null;
	const get = () => (client ??= import('../sync/feeds-client').then((m) => new m.FeedsClient()));
	return {
		listFeeds: async (...args) => (await get()).listFeeds(...args),
		createFeed: async (...args) => (await get()).createFeed(...args),
		revokeFeed: async (...args) => (await get()).revokeFeed(...args),
		publishBlocks: async (...args) => (await get()).publishBlocks(...args)
	};
}

function describe(e: unknown): string {
	// FeedsError by name: the class lives in the module loaded on demand.
	if (e instanceof Error && e.name === 'FeedsError') return e.message;
	return 'The calendar feed request failed';
}
