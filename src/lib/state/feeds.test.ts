/**
 * Calendar feeds from the workstation's side: creating a feed publishes the provider's busy blocks at
 * once, a later booking republishes them after a short delay, an unchanged schedule is not sent again,
 * and what leaves the workstation holds times only — no patient name, type or reason.
 */
import { describe, expect, it } from 'vitest';
import { addDays, localDate, zonedTimeToUtc } from '../domain';
import type { PublishedBlocks } from '../domain/schedule/ics';
import type { FeedInfo } from '../sync/feeds-client';
import { FeedsState } from './feeds.svelte';
import { plus, PROVIDER, scheduleWorkspace, TZ } from './schedule-fixtures';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

class FakeClient {
	feeds: FeedInfo[] = [];
	published: PublishedBlocks[] = [];
	async listFeeds(): Promise<FeedInfo[]> {
		return this.feeds;
	}
	async createFeed(_token: string, providerId: string, label: string) {
		const now = new Date().toISOString();
		this.feeds.push({
			id: 'f1',
			providerId,
			label,
			createdBy: 'x',
			createdAt: now,
			revokedAt: null,
			publishedAt: null
		});
		return { id: 'f1', token: 't'.repeat(43), url: 'https://clinic.test/ical/t.ics' };
	}
	async revokeFeed(): Promise<void> {
		this.feeds = this.feeds.map((f) => ({ ...f, revokedAt: new Date().toISOString() }));
	}
	async publishBlocks(_token: string, payload: PublishedBlocks): Promise<number> {
		this.published.push(payload);
		return 1;
	}
}

describe('calendar feeds', () => {
	it('publishes busy times only, again after a change, and not when nothing changed', async () => {
		const { ws, schedule, patient, book } = await scheduleWorkspace();
		Object.defineProperty(ws, 'accessToken', { value: () => 'access-token' });
		const client = new FakeClient();
		const feeds = new FeedsState(ws, schedule, client, 20);
		schedule.onChanged(() => feeds.schedulePublish());
		const date = addDays(localDate(new Date(), TZ), 3);
		await schedule.show(date, 'day');
		const nine = zonedTimeToUtc(date, 9, 0, TZ).toISOString();
		book(nine, { reason: 'Knee pain' });

		expect(await feeds.create(PROVIDER, 'Phone')).toBe('https://clinic.test/ical/t.ics');
		expect(client.published).toHaveLength(1);
		expect(client.published[0]!.blocks).toEqual([{ start: nine, end: plus(nine, 20) }]);
		const text = JSON.stringify(client.published);
		for (const secret of [patient.familyName, patient.givenName, 'Knee pain', 'Follow-up', patient.id])
			expect(text).not.toContain(secret);

		const ten = zonedTimeToUtc(date, 10, 0, TZ).toISOString();
		book(ten);
		await wait(100);
		expect(client.published).toHaveLength(2);
		expect(client.published[1]!.blocks).toHaveLength(2);

		// A view change recomputes but changes nothing: nothing is sent.
		await schedule.show(addDays(date, 1), 'day');
		await wait(100);
		expect(client.published).toHaveLength(2);

		await feeds.revoke('f1');
		book(nine, { end: ten });
		await wait(100);
		expect(client.published).toHaveLength(2);
	}, 60_000);
});
