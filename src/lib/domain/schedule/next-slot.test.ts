import { describe, expect, it } from 'vitest';
import type { ExceptionInput, TemplateInput } from './availability';
import {
	nextAvailable,
	SlotFinder,
	type SchedulingContext,
	type SlotAppointmentInput,
	type SlotQuery,
	type SlotTypeInput
} from './next-slot';

const TZ = 'America/Chicago';
const DR_A = 'prov-a';
const DR_B = 'prov-b';
const CHECKUP = 'type-checkup';
const NEW = 'type-new';
const PROC = 'type-procedure';

const MON = '2026-03-02'; // CST, UTC−6: 08:00 local = 14:00Z
const at = (date: string, hhmm: string) => {
	const [h, m] = hhmm.split(':').map(Number) as [number, number];
	// Winter dates only (UTC−6) in these helpers.
	return new Date(Date.parse(`${date}T00:00:00.000Z`) + ((h + 6) * 60 + m) * 60_000).toISOString();
};

function week(providerId: string, days = [1, 2, 3, 4, 5]): TemplateInput {
	return {
		id: 'tpl-' + providerId,
		providerId,
		effectiveFrom: '2026-01-01',
		days: days.map((weekday) => ({
			weekday,
			intervals: [
				{ from: '08:00', to: '12:00' },
				{ from: '13:00', to: '17:00' }
			]
		}))
	};
}

const types: SlotTypeInput[] = [
	{ id: CHECKUP, durationMinutes: 30 },
	{ id: NEW, durationMinutes: 45, bufferAfterMinutes: 15 },
	{ id: PROC, durationMinutes: 60, maxPerDay: 2, bufferBeforeMinutes: 10 }
];

function context(over: Partial<SchedulingContext> = {}): SchedulingContext {
	return {
		timeZone: TZ,
		slotMinutes: 15,
		templates: [week(DR_A)],
		exceptions: [],
		appointments: [],
		types,
		...over
	};
}

const appt = (providerId: string, typeId: string, date: string, from: string, to: string) =>
	({ providerId, typeId, start: at(date, from), end: at(date, to) }) satisfies SlotAppointmentInput;

const starts = (q: SlotQuery, c: SchedulingContext) => nextAvailable(q, c).map((s) => s.start);

describe('nextAvailable', () => {
	it('returns the earliest slots on the grid, in working hours, with the type’s duration', () => {
		const slots = nextAvailable({ typeId: CHECKUP, from: at(MON, '07:00'), limit: 3 }, context());
		expect(slots).toEqual([
			{ providerId: DR_A, start: at(MON, '08:00'), end: at(MON, '08:30') },
			{ providerId: DR_A, start: at(MON, '08:15'), end: at(MON, '08:45') },
			{ providerId: DR_A, start: at(MON, '08:30'), end: at(MON, '09:00') }
		]);
	});

	it('skips the break and continues after the end of the day on the next working day', () => {
		expect(starts({ typeId: CHECKUP, from: at(MON, '11:20'), limit: 3 }, context())).toEqual([
			at(MON, '11:30'),
			at(MON, '13:00'),
			at(MON, '13:15')
		]);
		const friday = '2026-02-27';
		expect(starts({ typeId: CHECKUP, from: at(friday, '16:31'), limit: 1 }, context())).toEqual([
			at(MON, '08:00')
		]);
	});

	it('aligns starts to the clinic grid from any instant (15 and 20 minutes)', () => {
		expect(starts({ typeId: CHECKUP, from: '2026-03-02T14:07:13.456Z', limit: 1 }, context())).toEqual([
			at(MON, '08:15')
		]);
		const grid20 = context({ slotMinutes: 20 });
		expect(starts({ typeId: CHECKUP, from: at(MON, '08:01'), limit: 3 }, grid20)).toEqual([
			at(MON, '08:20'),
			at(MON, '08:40'),
			at(MON, '09:00')
		]);
	});

	it('skips booked appointments but not cancelled, no-show or deleted ones', () => {
		const c = context({
			appointments: [
				appt(DR_A, CHECKUP, MON, '08:00', '09:00'),
				appt(DR_A, CHECKUP, MON, '09:15', '09:45'),
				{ ...appt(DR_A, CHECKUP, MON, '09:45', '10:30'), status: 'cancelled' },
				{ ...appt(DR_A, CHECKUP, MON, '09:45', '10:30'), status: 'no-show' },
				{ ...appt(DR_A, CHECKUP, MON, '09:45', '10:30'), deletedAt: '2026-03-01T00:00:00.000Z' }
			]
		});
		expect(starts({ typeId: CHECKUP, from: at(MON, '08:00'), limit: 3 }, c)).toEqual([
			at(MON, '09:45'),
			at(MON, '10:00'),
			at(MON, '10:15')
		]);
	});

	it('keeps the new slot’s buffers and the booked appointments’ buffers free', () => {
		// NEW: 45 min + 15 after. A NEW booked 08:00–08:45 keeps 08:45–09:00 too.
		const c = context({
			appointments: [appt(DR_A, NEW, MON, '08:00', '08:45'), appt(DR_A, CHECKUP, MON, '10:00', '10:30')]
		});
		expect(starts({ typeId: NEW, from: at(MON, '08:00'), limit: 3 }, c)).toEqual([
			at(MON, '09:00'), // 09:00–09:45 + 15 after = 10:00, touching the next booking
			at(MON, '10:30'),
			at(MON, '10:45')
		]);
		// PROC: 60 min with 10 before; the first start whose 10 minutes before are free is 08:15.
		expect(starts({ typeId: PROC, from: at(MON, '07:00'), limit: 1 }, context())).toEqual([at(MON, '08:15')]);
		// A query's own buffers override the type's.
		expect(
			starts({ typeId: NEW, from: at(MON, '11:05'), bufferAfterMinutes: 0, limit: 1 }, context())
		).toEqual([at(MON, '11:15')]);
		// Buffers stay inside working time: with its 15 minutes after, 11:15 would run into the break.
		expect(starts({ typeId: NEW, from: at(MON, '11:05'), limit: 1 }, context())).toEqual([at(MON, '13:00')]);
	});

	it('skips a day once the type’s max per day is booked for that provider', () => {
		const c = context({
			templates: [week(DR_A), week(DR_B)],
			appointments: [appt(DR_A, PROC, MON, '08:00', '09:00'), appt(DR_A, PROC, MON, '14:00', '15:00')]
		});
		const slots = nextAvailable({ typeId: PROC, from: at(MON, '07:00'), providerIds: [DR_A], limit: 1 }, c);
		expect(slots).toEqual([
			{ providerId: DR_A, start: at('2026-03-03', '08:15'), end: at('2026-03-03', '09:15') }
		]);
		// Another provider is not limited by Dr A's procedures, and other types still book Dr A.
		expect(nextAvailable({ typeId: PROC, from: at(MON, '07:00'), limit: 1 }, c)[0]!.providerId).toBe(DR_B);
		expect(starts({ typeId: CHECKUP, from: at(MON, '07:00'), providerIds: [DR_A], limit: 1 }, c)).toEqual([
			at(MON, '09:00')
		]);
	});

	it('offers a type only where the interval allows it (new patients only in the morning)', () => {
		const t: TemplateInput = {
			...week(DR_A),
			days: [1, 2, 3, 4, 5].map((weekday) => ({
				weekday,
				intervals: [
					{ from: '08:00', to: '12:00', typeIds: [NEW, CHECKUP] },
					{ from: '12:00', to: '17:00', typeIds: [CHECKUP] }
				]
			}))
		};
		const c = context({ templates: [t] });
		expect(starts({ typeId: NEW, from: at(MON, '10:50'), limit: 2 }, c)).toEqual([
			at(MON, '11:00'), // 11:00–11:45 + 15 buffer ends at 12:00
			at('2026-03-03', '08:00')
		]);
		expect(starts({ typeId: CHECKUP, from: at(MON, '11:45'), limit: 1 }, c)).toEqual([at(MON, '11:45')]);
	});

	it('honours a time-of-day preference and weekdays', () => {
		expect(
			starts({ typeId: CHECKUP, from: at(MON, '07:00'), timeOfDay: 'afternoon', limit: 1 }, context())
		).toEqual([at(MON, '13:00')]);
		const window = { from: '16:00', to: '16:31' };
		expect(
			starts({ typeId: CHECKUP, from: at(MON, '07:00'), timeOfDay: window, limit: 4 }, context())
		).toEqual([at(MON, '16:00'), at(MON, '16:15'), at(MON, '16:30'), at('2026-03-03', '16:00')]);
		expect(
			starts({ typeId: CHECKUP, from: at(MON, '07:00'), timeOfDay: 'evening', limit: 1 }, context())
		).toEqual([]);
		expect(
			starts(
				{ typeId: CHECKUP, from: at(MON, '07:00'), weekdays: [4], timeOfDay: 'afternoon', limit: 1 },
				context()
			)
		).toEqual([at('2026-03-05', '13:00')]);
	});

	it('skips holidays and vacations', () => {
		const exceptions: ExceptionInput[] = [
			{ id: 'h', kind: 'holiday', date: MON },
			{ id: 'v', kind: 'vacation', providerId: DR_A, from: '2026-03-03', to: '2026-03-05' }
		];
		expect(starts({ typeId: CHECKUP, from: at(MON, '07:00'), limit: 1 }, context({ exceptions }))).toEqual([
			at('2026-03-06', '08:00')
		]);
	});

	it('orders providers by time, then by id, whatever the input order', () => {
		const appointments = [
			appt(DR_A, CHECKUP, MON, '08:00', '08:30'),
			appt(DR_B, CHECKUP, MON, '08:30', '09:00'),
			appt(DR_A, NEW, MON, '09:00', '09:45'),
			appt(DR_B, CHECKUP, MON, '09:15', '10:00')
		];
		const exceptions: ExceptionInput[] = [
			{ id: 'x', kind: 'block', providerId: DR_B, date: MON, blocked: [{ from: '10:00', to: '11:00' }] }
		];
		const q: SlotQuery = { typeId: CHECKUP, from: at(MON, '07:00'), limit: 8 };
		const c1 = context({ templates: [week(DR_A), week(DR_B)], appointments, exceptions });
		const c2 = context({
			templates: [week(DR_B), week(DR_A)],
			appointments: [...appointments].reverse(),
			exceptions,
			types: [...types].reverse()
		});
		const first = nextAvailable(q, c1);
		expect(nextAvailable(q, c2)).toEqual(first);
		expect(first.map((s) => [s.providerId, s.start])).toEqual([
			[DR_B, at(MON, '08:00')],
			[DR_A, at(MON, '08:30')],
			[DR_A, at(MON, '10:00')],
			[DR_A, at(MON, '10:15')],
			[DR_A, at(MON, '10:30')],
			[DR_A, at(MON, '10:45')],
			[DR_A, at(MON, '11:00')],
			[DR_B, at(MON, '11:00')]
		]);
	});

	it('respects providerIds, the type’s providers and the until bound', () => {
		const c = context({
			templates: [week(DR_A), week(DR_B)],
			types: [...types, { id: 'b-only', durationMinutes: 30, providerIds: [DR_B] }]
		});
		const q = { from: at(MON, '07:00'), limit: 2 };
		expect(nextAvailable({ ...q, typeId: 'b-only' }, c).map((s) => s.providerId)).toEqual([DR_B, DR_B]);
		expect(nextAvailable({ ...q, typeId: CHECKUP, providerIds: [DR_B] }, c).map((s) => s.providerId)).toEqual(
			[DR_B, DR_B]
		);
		expect(starts({ ...q, typeId: CHECKUP, until: at(MON, '08:45'), providerIds: [DR_A] }, c)).toEqual([
			at(MON, '08:00'),
			at(MON, '08:15')
		]);
		expect(nextAvailable({ ...q, typeId: 'b-only', providerIds: [DR_A] }, c)).toEqual([]);
	});

	it('returns nothing rather than looping when nothing is free', () => {
		const full = context({
			appointments: [],
			exceptions: [{ id: 'v', kind: 'vacation', providerId: DR_A, from: '2026-01-01', to: '2029-12-31' }]
		});
		const t0 = performance.now();
		expect(nextAvailable({ typeId: CHECKUP, from: at(MON, '07:00') }, full)).toEqual([]);
		expect(
			nextAvailable({ typeId: CHECKUP, from: at(MON, '07:00'), until: '2030-01-01T00:00:00.000Z' }, full)
		).toEqual([]);
		expect(performance.now() - t0).toBeLessThan(1000);
		expect(
			nextAvailable({ typeId: CHECKUP, from: at(MON, '07:00'), durationMinutes: 600 }, context())
		).toEqual([]);
		expect(nextAvailable({ typeId: CHECKUP, from: at(MON, '07:00'), limit: 0 }, context())).toEqual([]);
		expect(
			nextAvailable({ typeId: CHECKUP, from: at(MON, '07:00'), until: at(MON, '06:00') }, context())
		).toEqual([]);
		expect(() => nextAvailable({ typeId: 'unknown', from: at(MON, '07:00') }, context())).toThrow(/duration/);
	});

	it('finds every slot of a day once, and a reused finder gives the same answers', () => {
		const finder = new SlotFinder(context());
		const day = finder.nextAvailable({
			typeId: CHECKUP,
			from: at(MON, '00:00'),
			until: at(MON, '23:59'),
			limit: 100
		});
		expect(day).toHaveLength(2 * 15); // 08:00–11:30 and 13:00–16:30 every 15 minutes
		expect(
			finder.nextAvailable({ typeId: CHECKUP, from: at(MON, '00:00'), until: at(MON, '23:59'), limit: 100 })
		).toEqual(day);
	});
});

describe('nextAvailable across daylight-saving changes (America/Chicago)', () => {
	const sunday = (intervals: { from: string; to: string }[]): SchedulingContext =>
		context({
			slotMinutes: 30,
			templates: [
				{ id: 'tpl', providerId: DR_A, effectiveFrom: '2026-01-01', days: [{ weekday: 0, intervals }] }
			]
		});
	const local = (iso: string) =>
		new Intl.DateTimeFormat('en-US', {
			timeZone: TZ,
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23'
		}).format(new Date(iso));

	it('offers no slot at the non-existent 02:30 on spring-forward day', () => {
		const c = sunday([{ from: '00:00', to: '04:00' }]);
		const slots = nextAvailable(
			{ typeId: CHECKUP, from: '2026-03-08T00:00:00.000Z', until: '2026-03-09T00:00:00.000Z', limit: 50 },
			c
		);
		expect(slots.map((s) => local(s.start))).toEqual(['00:00', '00:30', '01:00', '01:30', '03:00', '03:30']);
		expect(slots.map((s) => s.start)).toContain('2026-03-08T07:30:00.000Z'); // 01:30 CST, ends 03:00 CDT
	});

	it('offers both 01:00 and both 01:30 in the repeated hour on fall-back day', () => {
		const c = sunday([{ from: '00:00', to: '04:00' }]);
		const slots = nextAvailable(
			{ typeId: CHECKUP, from: '2026-11-01T00:00:00.000Z', until: '2026-11-02T00:00:00.000Z', limit: 50 },
			c
		);
		expect(slots).toHaveLength(10);
		expect(slots.map((s) => local(s.start))).toEqual([
			'00:00',
			'00:30',
			'01:00',
			'01:30',
			'01:00',
			'01:30',
			'02:00',
			'02:30',
			'03:00',
			'03:30'
		]);
		expect(new Set(slots.map((s) => s.start)).size).toBe(10);
	});

	it('keeps a 08:00–17:00 day at 18 half-hour slots on both change days', () => {
		const c = sunday([{ from: '08:00', to: '17:00' }]);
		for (const [from, until] of [
			['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z'],
			['2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z']
		] as const) {
			const slots = nextAvailable({ typeId: CHECKUP, from, until, limit: 50 }, c);
			expect(slots).toHaveLength(18);
			expect(local(slots[0]!.start)).toBe('08:00');
			expect(local(slots[17]!.end)).toBe('17:00');
		}
	});
});
