import { describe, expect, it } from 'vitest';
import { localDate, localMinutes, weekday } from '../common/time';
import { patient as patientSchema } from '../patients/schemas';
import { availabilityOn } from '../schedule/availability';
import { availabilityException, availabilityTemplate } from '../schedule/availability-schemas';
import { detectConflicts } from '../schedule/conflicts';
import { sha1 } from '../schedule/recurrence';
import { waitlistEntry } from '../schedule/records';
import { conflictRulesFrom } from '../schedule/rules';
import { occupiesSlot } from '../schedule/schemas';
import { buildHolidayExceptions, waitlistSize } from './availability';
import { dayNumber } from './time';
import { DEMO_PRESETS, demoNow, generateDemoClinic, type DemoClinic, type DemoOptions } from './index';

const TZ = 'America/Chicago';
const small = (today: string): DemoOptions => ({ seed: 20261116, today, ...DEMO_PRESETS.small });
/** Autumn: the November DST change and Christmas/New Year inside the range. Spring: 2026-03-08's change. */
const AUTUMN = '2026-11-16';
const SPRING = '2026-03-09';
const demos = new Map([AUTUMN, SPRING].map((today) => [today, generateDemoClinic(small(today))]));
const autumn = demos.get(AUTUMN)!;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function rulesOf(d: DemoClinic) {
	return conflictRulesFrom({
		timeZone: d.clinic.timeZone,
		templates: d.availabilityTemplates,
		exceptions: d.availabilityExceptions,
		types: d.appointmentTypes
	});
}

describe('demo availability and waitlist', () => {
	it('leave the rest of the demo byte-identical (own PRNG stream)', () => {
		// Digests of the demo as generated before hours, holidays and the waitlist existed.
		const before: Record<string, [number, string]> = {
			[AUTUMN]: [3_081_775, '5449b68ebf97cef744221d4e924884dbcd3c6cb2'],
			[SPRING]: [3_045_820, '7693a1adcae3b1fc4e58c4884769ecd55c05fc6a']
		};
		for (const [today, d] of demos) {
			const json = JSON.stringify([
				d.clinic,
				d.providers,
				d.rooms,
				d.appointmentTypes,
				d.patients,
				d.appointments
			]);
			expect([json.length, hex(sha1(new TextEncoder().encode(json)))], today).toEqual(before[today]);
		}
	});

	it('produces records that each pass their schema unchanged', () => {
		for (const d of demos.values()) {
			expect(d.availabilityTemplates.map((t) => availabilityTemplate.parse(t))).toEqual(
				d.availabilityTemplates
			);
			expect(d.availabilityExceptions.map((e) => availabilityException.parse(e))).toEqual(
				d.availabilityExceptions
			);
			expect(d.waitlist.map((w) => waitlistEntry.parse(w))).toEqual(d.waitlist);
			const ids = [...d.availabilityTemplates, ...d.availabilityExceptions, ...d.waitlist].map((r) => r.id);
			const old = new Set([...d.patients, ...d.appointments, ...d.providers].map((r) => r.id));
			expect(new Set(ids).size).toBe(ids.length);
			expect(ids.filter((id) => old.has(id))).toEqual([]);
		}
	});

	it('gives each provider weekday 08:00–17:00 hours with no lunch, from the setup date', () => {
		const { availabilityTemplates: templates, providers, appointments } = autumn;
		expect(templates.map((t) => t.providerId)).toEqual(providers.map((p) => p.id));
		const firstBooking = appointments.map((a) => localDate(a.start, TZ)).sort()[0]!;
		for (const t of templates) {
			expect(t.effectiveFrom <= firstBooking).toBe(true);
			expect(t.effectiveTo).toBeUndefined();
			expect(t.days).toEqual(
				[1, 2, 3, 4, 5].map((weekday) => ({
					weekday,
					intervals: [{ from: '08:00', to: '17:00', typeIds: [] }],
					breaks: [],
					blocked: []
				}))
			);
		}
		// As instants: 08:00 CST is 14:00Z; after the spring change 08:00 CDT is 13:00Z.
		const ctx = { timeZone: TZ, templates, exceptions: autumn.availabilityExceptions };
		const p = providers[0]!.id;
		expect(availabilityOn(p, '2026-11-17', ctx)).toEqual([
			{ start: '2026-11-17T14:00:00.000Z', end: '2026-11-17T23:00:00.000Z', typeIds: 'any' }
		]);
		expect(availabilityOn(p, '2026-11-21', ctx)).toEqual([]); // Saturday
		expect(availabilityOn(p, '2026-12-25', ctx)).toEqual([]); // Christmas, a Friday
		const spring = demos.get(SPRING)!;
		expect(
			availabilityOn(spring.providers[0]!.id, '2026-03-09', {
				timeZone: TZ,
				templates: spring.availabilityTemplates,
				exceptions: spring.availabilityExceptions
			})
		).toEqual([{ start: '2026-03-09T13:00:00.000Z', end: '2026-03-09T22:00:00.000Z', typeIds: 'any' }]);
	});

	it('closes the fixed holidays of every year covered, with names and ids stable across runs', () => {
		const holidays = autumn.availabilityExceptions;
		// Setup is 45 days before 2026-09-16; the schedule runs to 2027-01-16.
		expect(holidays.map((h) => (h.kind === 'holiday' ? [h.date, h.name, h.providerId] : h.kind))).toEqual([
			['2026-12-25', 'Christmas Day', undefined],
			['2027-01-01', "New Year's Day", undefined],
			['2027-07-04', 'Independence Day', undefined],
			['2027-12-25', 'Christmas Day', undefined]
		]);
		const spring = demos.get(SPRING)!.availabilityExceptions.map((h) => (h.kind === 'holiday' ? h.date : ''));
		expect(spring).toEqual(['2025-12-25', '2026-01-01', '2026-07-04', '2026-12-25']);

		const again = generateDemoClinic(small(AUTUMN));
		expect(again.availabilityExceptions).toEqual(holidays);
		expect(again.availabilityTemplates).toEqual(autumn.availabilityTemplates);
		expect(again.waitlist).toEqual(autumn.waitlist);
		// Ids derive from the clinic, so another demo clinic does not share them.
		const other = generateDemoClinic({ ...small(AUTUMN), seed: 7, patients: 50 });
		const mine = new Set([...holidays, ...autumn.availabilityTemplates].map((r) => r.id));
		expect(
			[...other.availabilityExceptions, ...other.availabilityTemplates].filter((r) => mine.has(r.id))
		).toEqual([]);
	});

	it('also closes a weekday whose clock changes during opening hours, as the generator skips it', () => {
		// Egypt springs forward at midnight on the last Friday of April: 2026-04-24 has 23 hours.
		const closed = buildHolidayExceptions({
			clinicId: '00000000-0000-4000-8000-000000000001',
			timeZone: 'Africa/Cairo',
			setupDay: dayNumber('2026-04-01'),
			setupMs: Date.parse('2026-04-01T08:00:00Z'),
			openMinute: 0,
			closeMinute: 17 * 60,
			firstDay: dayNumber('2026-04-20'),
			lastDay: dayNumber('2026-04-30'),
			providers: []
		});
		expect(closed.map((e) => (e.kind === 'holiday' ? [e.date, e.name] : []))).toEqual([
			['2026-04-24', 'Clock change'],
			['2026-07-04', 'Independence Day'],
			['2026-12-25', 'Christmas Day']
		]);
	});

	for (const today of [AUTUMN, SPRING]) {
		it(`raises no conflict at all over the generated schedule (today ${today}, DST change inside)`, () => {
			const d = demos.get(today)!;
			const rules = rulesOf(d);
			const holding = d.appointments.filter((a) => occupiesSlot(a.status));
			expect(holding.length).toBeGreaterThan(2500);
			// The rules are not vacuous: every booked day is known, with one 08:00–17:00 interval.
			const unknown = holding.filter(
				(a) => rules.day(a.providerId, localDate(a.start, TZ))?.hours.length !== 1
			);
			expect(unknown).toEqual([]);
			// The demo's types set no daily maximum (the generator does not respect one).
			expect(d.appointmentTypes.map((t) => t.maxPerDay)).toEqual(d.appointmentTypes.map(() => undefined));

			expect(detectConflicts(d.appointments, { rules })).toEqual([]);

			// …and the same check does catch a booking moved before opening or onto a holiday.
			const a = holding[0]!;
			const early = {
				...a,
				start: new Date(Date.parse(a.start) - 10 * 3_600_000).toISOString(),
				end: new Date(Date.parse(a.end) - 10 * 3_600_000).toISOString()
			};
			const holiday = d.availabilityExceptions[0]!;
			const date = holiday.kind === 'holiday' ? holiday.date : '';
			const onHoliday = {
				...a,
				id: crypto.randomUUID(),
				start: `${date}T16:00:00.000Z`,
				end: `${date}T16:15:00.000Z`
			};
			expect(detectConflicts([early, onHoliday], { rules }).map((c) => c.kind)).toEqual([
				'outside-hours',
				'outside-hours'
			]);
		});
	}

	it('lists about one waiting patient per 50 (8 for the small preset, at most 40)', () => {
		expect(waitlistSize(400)).toBe(8);
		expect(waitlistSize(20_000)).toBe(40);
		expect(waitlistSize(60)).toBe(2);
		expect(waitlistSize(0)).toBe(0);
		expect(autumn.waitlist).toHaveLength(8);
		expect(generateDemoClinic({ ...small(AUTUMN), patients: 0 }).waitlist).toEqual([]);
	});

	it('waitlists real, distinct demo patients, recently, with varied preferences', () => {
		for (const [today, d] of demos) {
			const patients = new Map(d.patients.map((p) => [p.id, p]));
			const appointments = new Map(d.appointments.map((a) => [a.id, a]));
			const types = new Map(d.appointmentTypes.map((t) => [t.id, t]));
			const now = demoNow(today, TZ);
			const twoWeeksAgo = new Date(Date.parse(now) - 14 * 86_400_000).toISOString();
			const wrong: string[] = [];
			for (const w of d.waitlist) {
				const patient = patients.get(w.patientId);
				if (!patient) wrong.push(`${w.id} patient`);
				else patientSchema.parse(patient);
				const type = types.get(w.typeId);
				if (!type) wrong.push(`${w.id} type`);
				else if (w.providerId && type.providerIds.length > 0 && !type.providerIds.includes(w.providerId))
					wrong.push(`${w.id} provider does not offer the type`);
				if (w.status !== 'waiting') wrong.push(`${w.id} ${w.status}`);
				if (!(twoWeeksAgo <= w.createdAt && w.createdAt <= now && w.updatedAt === w.createdAt))
					wrong.push(`${w.id} created ${w.createdAt}`);
				if (w.earliest !== undefined && w.earliest <= today) wrong.push(`${w.id} earliest ${w.earliest}`);
				if (w.currentAppointmentId !== undefined) {
					const a = appointments.get(w.currentAppointmentId);
					if (!a || a.patientId !== w.patientId || a.typeId !== w.typeId || a.start <= now)
						wrong.push(`${w.id} current appointment`);
					else if (a.createdAt > w.createdAt) wrong.push(`${w.id} waitlisted before booking`);
				}
			}
			expect(wrong, today).toEqual([]);
			expect(new Set(d.waitlist.map((w) => w.patientId)).size).toBe(d.waitlist.length);
		}
		const all = [...demos.values()].flatMap((d) => d.waitlist);
		// Added at the front desk: weekdays, 08:00–17:00, bar the odd entry whose window had no such time.
		const atDesk = all.filter((w) => {
			const minutes = localMinutes(w.createdAt, TZ);
			return weekday(localDate(w.createdAt, TZ)) % 6 !== 0 && minutes >= 8 * 60 && minutes < 17 * 60;
		});
		expect(atDesk.length).toBeGreaterThanOrEqual(all.length - 1);
		expect(all.some((w) => w.currentAppointmentId)).toBe(true);
		expect(all.some((w) => !w.currentAppointmentId)).toBe(true);
		expect(all.some((w) => w.providerId)).toBe(true);
		expect(all.some((w) => !w.providerId)).toBe(true);
		expect(all.some((w) => w.weekdays.length > 0)).toBe(true);
		expect(all.some((w) => w.weekdays.length === 0)).toBe(true);
		expect(new Set(all.map((w) => w.timeOfDay)).size).toBeGreaterThan(1);
		expect(all.every((w) => w.timeOfDay !== 'evening')).toBe(true); // the clinic closes at 17:00
	});
});
