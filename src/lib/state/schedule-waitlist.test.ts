/** Which waiting patients a freed slot is offered to, and in what order (pure matching, no documents). */
import { describe, expect, it } from 'vitest';
import type { WaitlistEntry } from '../domain/schedule/records';
import { matchWaitlist, type MatchContext } from './schedule-waitlist';

const TZ = 'America/Chicago';
// 2026-12-01 is a Tuesday; Chicago is UTC-6 in December.
const at = (local: string) => new Date(Date.parse(`${local}:00-06:00`)).toISOString();
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const P1 = id(1);
const P2 = id(2);
const FOLLOW_UP = id(10); // 20 minutes, any provider
const PHYSICAL = id(11); // 30 minutes, P1 only
const LONG = id(12); // 60 minutes

const ctx = (held: Record<string, string> = {}): MatchContext => ({
	timeZone: TZ,
	types: [
		{ id: FOLLOW_UP, durationMinutes: 20, providerIds: [] },
		{ id: PHYSICAL, durationMinutes: 30, providerIds: [P1] },
		{ id: LONG, durationMinutes: 60, providerIds: [] }
	],
	held: (appointmentId) => (held[appointmentId] ? { start: held[appointmentId] } : undefined)
});

let serial = 100;
function entry(over: Partial<WaitlistEntry> = {}): WaitlistEntry {
	serial += 1;
	return {
		id: id(serial),
		createdAt: new Date(Date.UTC(2026, 10, 1) + serial * 60_000).toISOString(),
		updatedAt: '2026-11-01T00:00:00.000Z',
		patientId: id(serial + 1000),
		typeId: FOLLOW_UP,
		weekdays: [],
		timeOfDay: 'any',
		priority: 'normal',
		note: '',
		status: 'waiting',
		...over
	};
}

/** Tuesday 9:00–9:30 with P1. */
const slot = { start: at('2026-12-01T09:00'), end: at('2026-12-01T09:30'), providerId: P1 };
const ids = (list: WaitlistEntry[]) => list.map((w) => w.id);

describe('matchWaitlist', () => {
	it('takes entries for the slot’s provider or any provider, waiting and not deleted', () => {
		const any = entry();
		const mine = entry({ providerId: P1 });
		const other = entry({ providerId: P2 });
		const booked = entry({ status: 'booked', bookedAppointmentId: id(900) });
		const deleted = entry({ deletedAt: '2026-11-02T00:00:00.000Z' });
		expect(ids(matchWaitlist([any, mine, other, booked, deleted], slot, ctx()))).toEqual([any.id, mine.id]);
		expect(ids(matchWaitlist([any, mine, other], { ...slot, providerId: P2 }, ctx()))).toEqual([
			any.id,
			other.id
		]);
	});

	it('needs a type the provider offers that fits in the slot', () => {
		const physical = entry({ typeId: PHYSICAL });
		const long = entry({ typeId: LONG });
		const unknown = entry({ typeId: id(99) });
		expect(ids(matchWaitlist([physical, long, unknown], slot, ctx()))).toEqual([physical.id]);
		expect(matchWaitlist([physical], { ...slot, providerId: P2 }, ctx())).toEqual([]);
	});

	it('honours weekday and time-of-day preferences in the clinic’s zone', () => {
		const tuesday = entry({ weekdays: [2, 4] });
		const monday = entry({ weekdays: [1] });
		const morning = entry({ timeOfDay: 'morning' });
		const afternoon = entry({ timeOfDay: 'afternoon' });
		expect(ids(matchWaitlist([tuesday, monday, morning, afternoon], slot, ctx()))).toEqual([
			tuesday.id,
			morning.id
		]);
		// 17:00 local is 23:00 UTC: evening there, whatever the UTC hour says.
		const evening = { ...slot, start: at('2026-12-01T17:00'), end: at('2026-12-01T17:30') };
		const eveningEntry = entry({ timeOfDay: 'evening' });
		expect(ids(matchWaitlist([morning, afternoon, eveningEntry], evening, ctx()))).toEqual([eveningEntry.id]);
	});

	it('waits for the earliest date', () => {
		const today = entry({ earliest: '2026-12-01' });
		const tomorrow = entry({ earliest: '2026-12-02' });
		expect(ids(matchWaitlist([today, tomorrow], slot, ctx()))).toEqual([today.id]);
	});

	it('leaves out a patient whose held appointment is no later than the slot', () => {
		const earlier = entry({ currentAppointmentId: id(500) });
		const same = entry({ currentAppointmentId: id(501) });
		const later = entry({ currentAppointmentId: id(502) });
		const notLoaded = entry({ currentAppointmentId: id(503) });
		const held = {
			[id(500)]: at('2026-11-30T09:00'),
			[id(501)]: slot.start,
			[id(502)]: at('2026-12-09T09:00')
		};
		expect(ids(matchWaitlist([earlier, same, later, notLoaded], slot, ctx(held)))).toEqual([
			later.id,
			notLoaded.id
		]);
	});

	it('orders urgent first, then the freed type, then the longest waiting', () => {
		const oldest = entry({ typeId: PHYSICAL });
		const sameType = entry();
		const urgent = entry({ typeId: PHYSICAL, priority: 'urgent' });
		const urgentSameType = entry({ priority: 'urgent' });
		const newest = entry({ typeId: PHYSICAL });
		const list = [newest, sameType, oldest, urgent, urgentSameType];
		expect(ids(matchWaitlist(list, slot, ctx(), FOLLOW_UP))).toEqual([
			urgentSameType.id,
			urgent.id,
			sameType.id,
			oldest.id,
			newest.id
		]);
		// Without a freed type: urgent, then by waiting time alone.
		expect(ids(matchWaitlist(list, slot, ctx()))).toEqual([
			urgent.id,
			urgentSameType.id,
			oldest.id,
			sameType.id,
			newest.id
		]);
	});
});
