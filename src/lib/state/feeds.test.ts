/**
 * Calendar feeds from the workstation's side: creating a feed publishes the provider's busy blocks at
 * once, a later booking republishes them after a short delay, an unchanged schedule is not sent again,
 * and what leaves the workstation holds times only — no patient name, type or reason.
 */
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { addDays, localDate, zonedTimeToUtc } from '../domain';
import type { PublishedBlocks } from '../domain/schedule/ics';
import { appointmentTypesIn, providersIn } from '../crdt/collections';
import { directoryDoc } from '../crdt/layout';
import type { AuthClient } from '../sync';
import type { FeedInfo } from '../sync/feeds-client';
import { FeedsState } from './feeds.svelte';
import { PatientsState } from './patients.svelte';
import { ScheduleState } from './schedule.svelte';
import { WorkspaceState } from './workspace.svelte';

const TZ = 'America/Chicago';
const PROVIDER = '0b1e7a52-5d7e-4c1a-9f0e-1a2b3c4d5e6f';
const TYPE = '7c9d2e41-3b6a-4f8e-8d1c-2e3f4a5b6c7d';
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
		const ws = new WorkspaceState(() => new FakeIDBFactory(), {} as AuthClient);
		await ws.init();
		await ws.createClinic({
			name: 'Synthetic Clinic',
			timeZone: TZ,
			slotMinutes: 15,
			admin: { displayName: 'Ada Admin', username: 'ada', passphrase: 'correct horse battery' }
		});
		Object.defineProperty(ws, 'accessToken', { value: () => 'access-token' });
		const now = new Date().toISOString();
		const dir = ws.docs().open(directoryDoc());
		providersIn(dir).insert({
			id: PROVIDER,
			createdAt: now,
			updatedAt: now,
			displayName: 'Dr. Vale',
			color: '#336699'
		});
		appointmentTypesIn(dir).insert({
			id: TYPE,
			createdAt: now,
			updatedAt: now,
			name: 'Follow-up',
			durationMinutes: 20,
			color: '#aa3300'
		});
		const patients = new PatientsState(ws);
		await patients.load();
		const patient = patients.create({
			familyName: 'Zqxytest',
			givenName: 'Ombra',
			dateOfBirth: '1971-05-06'
		} as Parameters<PatientsState['create']>[0]);
		const schedule = new ScheduleState(ws);
		const client = new FakeClient();
		const feeds = new FeedsState(ws, schedule, client, 20);
		schedule.onChanged(() => feeds.schedulePublish());
		const date = addDays(localDate(new Date(), TZ), 3);
		await schedule.show(date, 'day');
		const nine = zonedTimeToUtc(date, 9, 0, TZ).toISOString();
		schedule.book({
			patientId: patient.id,
			providerId: PROVIDER,
			typeId: TYPE,
			start: nine,
			end: new Date(Date.parse(nine) + 20 * 60_000).toISOString(),
			reason: 'Knee pain'
		});

		expect(await feeds.create(PROVIDER, 'Phone')).toBe('https://clinic.test/ical/t.ics');
		expect(client.published).toHaveLength(1);
		expect(client.published[0]!.blocks).toEqual([
			{ start: nine, end: new Date(Date.parse(nine) + 20 * 60_000).toISOString() }
		]);
		const text = JSON.stringify(client.published);
		for (const secret of ['Zqxytest', 'Ombra', 'Knee pain', 'Follow-up', patient.id])
			expect(text).not.toContain(secret);

		const ten = zonedTimeToUtc(date, 10, 0, TZ).toISOString();
		schedule.book({
			patientId: patient.id,
			providerId: PROVIDER,
			typeId: TYPE,
			start: ten,
			end: new Date(Date.parse(ten) + 20 * 60_000).toISOString()
		});
		await wait(100);
		expect(client.published).toHaveLength(2);
		expect(client.published[1]!.blocks).toHaveLength(2);

		// A view change recomputes but changes nothing: nothing is sent.
		await schedule.show(addDays(date, 1), 'day');
		await wait(100);
		expect(client.published).toHaveLength(2);

		await feeds.revoke('f1');
		schedule.book({ patientId: patient.id, providerId: PROVIDER, typeId: TYPE, start: nine, end: ten });
		await wait(100);
		expect(client.published).toHaveLength(2);
	}, 60_000);
});
