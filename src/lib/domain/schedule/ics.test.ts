import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import {
	appointmentsIcs,
	busyBlocksOf,
	busyBlockUid,
	busyFeedIcs,
	calendarIcs,
	MAX_BLOCK_MS,
	publishedBlocks,
	type AppointmentsIcsOptions,
	type ExportableAppointment
} from './ics';
import type { AppointmentStatus } from './schemas';

const TZ = 'America/Chicago';
const P1 = '10000000-0000-4000-8000-000000000001';
const P2 = '10000000-0000-4000-8000-000000000002';
const PATIENT = '50000000-0000-4000-8000-000000000001';
const PATIENT2 = '50000000-0000-4000-8000-000000000002';
const TYPE = '30000000-0000-4000-8000-000000000001';
// Synthetic names only; asserted absent where they must not appear.
const NAMES: Record<string, string> = { [PATIENT]: 'Zqxy Testpatient', [PATIENT2]: 'Testpatient, Vrwk' };
const STAMP = '2026-01-02T03:04:05.000Z';

let n = 0;
function appt(
	start: string,
	end: string,
	over: Partial<ExportableAppointment> & { status?: AppointmentStatus } = {}
): ExportableAppointment & { reason: string } {
	n++;
	return {
		id: `40000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		patientId: PATIENT,
		providerId: P1,
		typeId: TYPE,
		status: 'booked',
		reason: 'Zqxy knee pain',
		start,
		end,
		...over
	};
}

interface Parsed {
	uid: string;
	summary: string;
	start: string;
	end: string;
	stamp: string;
}

/** Parses with ical.js (an independent implementation) and returns the calendar and its events. */
function parse(text: string): { cal: ICAL.Component; events: Parsed[] } {
	const cal = new ICAL.Component(ICAL.parse(text));
	expect(cal.name).toBe('vcalendar');
	const events = cal.getAllSubcomponents('vevent').map((ve) => {
		const e = new ICAL.Event(ve);
		const stamp = ve.getFirstPropertyValue('dtstamp') as ICAL.Time;
		return {
			uid: e.uid,
			summary: e.summary,
			start: e.startDate.toJSDate().toISOString(),
			end: e.endDate.toJSDate().toISOString(),
			stamp: stamp.toJSDate().toISOString()
		};
	});
	return { cal, events };
}

/** Local wall time of an instant in a zone, `yyyy-mm-dd hh:mm`, by Intl (not by the code under test). */
function wall(instant: string, tz = TZ): string {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-CA', {
			timeZone: tz,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23'
		})
			.formatToParts(new Date(instant))
			.map((p) => [p.type, p.value])
	);
	return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const common = { timeZone: TZ, calendarName: 'Dr. Lee, Tuesday', stamp: STAMP };

describe('calendarIcs', () => {
	it('writes RFC 5545 that ical.js parses: VERSION, PRODID, zone hint, UID, DTSTAMP, SUMMARY', () => {
		const text = calendarIcs({
			name: 'Front desk; main',
			timeZone: TZ,
			stamp: STAMP,
			refreshSeconds: 900,
			events: [
				{ uid: 'a@clinicdesk', start: '2026-05-04T14:00:00Z', end: '2026-05-04T14:30:00Z', summary: 'Busy' }
			]
		});
		expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
		expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
		expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
		for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
		// Calendar properties come before the first component, as the grammar requires.
		expect(text.indexOf('X-WR-TIMEZONE:America/Chicago')).toBeLessThan(text.indexOf('BEGIN:VEVENT'));
		expect(text).toContain('DTSTART:20260504T140000Z');
		const { cal, events } = parse(text);
		expect(cal.getFirstPropertyValue('version')).toBe('2.0');
		expect(cal.getFirstPropertyValue('prodid')).toBe('-//ClinicDesk//Schedule//EN');
		expect(cal.getFirstPropertyValue('x-wr-timezone')).toBe(TZ);
		expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Front desk\\; main');
		expect(events).toEqual([
			{
				uid: 'a@clinicdesk',
				summary: 'Busy',
				start: '2026-05-04T14:00:00.000Z',
				end: '2026-05-04T14:30:00.000Z',
				stamp: STAMP
			}
		]);
	});

	it('keeps a calendar name with line breaks on one line (no injected properties or events)', () => {
		const text = calendarIcs({
			name: 'Lee\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\nSUMMARY:x',
			timeZone: TZ,
			events: []
		});
		const { cal, events } = parse(text);
		expect(events).toHaveLength(0);
		const lines = text.split('\r\n');
		expect(lines.filter((l) => /^(BEGIN|END|SUMMARY):/.test(l))).toEqual([
			'BEGIN:VCALENDAR',
			'END:VCALENDAR'
		]);
		expect(cal.getFirstPropertyValue('x-wr-calname')).toBe('Lee END:VCALENDAR BEGIN:VEVENT SUMMARY:x');
	});

	it('leaves out a zone hint that is not a real zone', () => {
		const text = calendarIcs({ name: 'x', timeZone: 'Mars/Olympus', events: [] });
		expect(text).not.toContain('X-WR-TIMEZONE');
	});
});

describe('appointmentsIcs: instants survive exactly, DST days in America/Chicago included', () => {
	// 2026-03-08: 02:00 CST → 03:00 CDT (no 02:xx). 2026-11-01: 02:00 CDT → 01:00 CST (01:xx twice).
	const cases = [
		// The day before, still CST: 09:00–09:30.
		['2026-03-07T15:00:00.000Z', '2026-03-07T15:30:00.000Z', '2026-03-07 09:00', '2026-03-07 09:30'],
		// Spring day: 01:30 CST to 03:30 CDT is one hour.
		['2026-03-08T07:30:00.000Z', '2026-03-08T08:30:00.000Z', '2026-03-08 01:30', '2026-03-08 03:30'],
		// Spring day, after the change: 09:00–09:45 CDT.
		['2026-03-08T14:00:00.000Z', '2026-03-08T14:45:00.000Z', '2026-03-08 09:00', '2026-03-08 09:45'],
		// Fall day: the first 01:30 (CDT) and the second 01:30 (CST) are an hour apart.
		['2026-11-01T06:30:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01 01:30', '2026-11-01 01:00'],
		['2026-11-01T07:30:00.000Z', '2026-11-01T08:00:00.000Z', '2026-11-01 01:30', '2026-11-01 02:00'],
		// Fall day, after the change: 09:00–10:00 CST.
		['2026-11-01T15:00:00.000Z', '2026-11-01T16:00:00.000Z', '2026-11-01 09:00', '2026-11-01 10:00']
	] as const;

	for (const mode of ['busy', 'details'] as const) {
		it(`${mode} mode`, () => {
			const list = cases.map(([s, e]) => appt(s, e));
			const opts: AppointmentsIcsOptions =
				mode === 'busy' ? { mode, ...common } : { mode, ...common, typeName: () => 'Follow-up' };
			const { events } = parse(appointmentsIcs(list, opts));
			expect(events.map((e) => [e.start, e.end])).toEqual(cases.map(([s, e]) => [s, e]));
			expect(events.map((e) => [wall(e.start), wall(e.end)])).toEqual(cases.map(([, , ws, we]) => [ws, we]));
			expect(events.map((e) => e.uid)).toEqual(list.map((a) => `${a.id}@clinicdesk`));
			expect(events.every((e) => e.stamp === STAMP)).toBe(true);
			// The spring-forward appointment lasts one hour, not two.
			expect(Date.parse(events[1]!.end) - Date.parse(events[1]!.start)).toBe(3600_000);
		});
	}

	it('agrees with offsets written by hand (-06:00 / -05:00), not only with Z', () => {
		const a = appt('2026-03-08T01:30:00-06:00', '2026-03-08T03:30:00-05:00');
		const { events } = parse(appointmentsIcs([a], { mode: 'busy', ...common }));
		expect(events[0]).toMatchObject({ start: '2026-03-08T07:30:00.000Z', end: '2026-03-08T08:30:00.000Z' });
	});
});

describe('appointmentsIcs: what each mode shows', () => {
	const day = [
		appt('2026-05-04T14:00:00Z', '2026-05-04T14:30:00Z'),
		appt('2026-05-04T15:00:00Z', '2026-05-04T15:30:00Z', { patientId: PATIENT2 }),
		appt('2026-05-04T16:00:00Z', '2026-05-04T16:30:00Z', { status: 'cancelled' }),
		appt('2026-05-04T17:00:00Z', '2026-05-04T17:30:00Z', { status: 'no-show' }),
		appt('2026-05-04T18:00:00Z', '2026-05-04T18:30:00Z', { deletedAt: '2026-05-01T00:00:00Z' })
	];
	const names = (id: string) => NAMES[id];
	const typeName = () => 'New patient visit';

	it('busy: "Busy" and times only, no name, type, reason or patient id, even if names are passed', () => {
		// A caller that passes names in busy mode anyway (the type forbids it) still gets none.
		const opts = { mode: 'busy', ...common, names, typeName } as unknown as AppointmentsIcsOptions;
		const text = appointmentsIcs(day, opts);
		for (const secret of ['Zqxy', 'Testpatient', 'Vrwk', 'knee', 'New patient', PATIENT, PATIENT2, TYPE]) {
			expect(text).not.toContain(secret);
		}
		const { events } = parse(text);
		expect(events.map((e) => e.summary)).toEqual(['Busy', 'Busy']);
	});

	it('details without names: the type only', () => {
		const text = appointmentsIcs(day, { mode: 'details', ...common, typeName });
		expect(text).not.toContain('Zqxy');
		expect(text).not.toContain('Testpatient');
		expect(parse(text).events.map((e) => e.summary)).toEqual(['New patient visit', 'New patient visit']);
	});

	it('details with names: type and name, special characters escaped and read back', () => {
		const text = appointmentsIcs(day, { mode: 'details', ...common, typeName, names });
		expect(parse(text).events.map((e) => e.summary)).toEqual([
			'New patient visit — Zqxy Testpatient',
			'New patient visit — Testpatient, Vrwk'
		]);
		expect(text).not.toContain('knee');
		// Without a type name, a neutral word.
		const plain = appointmentsIcs(day.slice(0, 1), { mode: 'details', ...common });
		expect(parse(plain).events[0]!.summary).toBe('Appointment');
	});

	it('names the calendar, escaped as TEXT', () => {
		const text = appointmentsIcs(day, { mode: 'busy', ...common });
		// NAME (RFC 7986) and X- properties (RFC 5545 §3.8.8.2) are TEXT; ical.js knows neither as
		// such and returns them still escaped, so the raw lines are checked.
		expect(text).toContain('\r\nNAME:Dr. Lee\\, Tuesday\r\n');
		expect(text).toContain('\r\nX-WR-CALNAME:Dr. Lee\\, Tuesday\r\n');
		expect(parse(text).cal.getFirstPropertyValue('x-wr-calname')).toBe('Dr. Lee\\, Tuesday');
	});
});

describe('busyBlocksOf', () => {
	const from = '2026-05-04T00:00:00.000Z';
	const to = '2026-05-05T00:00:00.000Z';

	it('merges overlapping and touching appointments; skips free statuses, deleted, other providers', () => {
		const list = [
			appt('2026-05-04T15:00:00.000Z', '2026-05-04T15:30:00.000Z'),
			appt('2026-05-04T14:00:00.000Z', '2026-05-04T14:30:00.000Z'),
			appt('2026-05-04T14:15:00.000Z', '2026-05-04T14:45:00.000Z'), // overlaps the one before
			appt('2026-05-04T14:45:00.000Z', '2026-05-04T14:50:00.000Z'), // touches it
			appt('2026-05-04T14:20:00.000Z', '2026-05-04T14:25:00.000Z'), // inside
			appt('2026-05-04T16:00:00.000Z', '2026-05-04T17:00:00.000Z', { status: 'cancelled' }),
			appt('2026-05-04T16:00:00.000Z', '2026-05-04T17:00:00.000Z', { status: 'no-show' }),
			appt('2026-05-04T16:00:00.000Z', '2026-05-04T17:00:00.000Z', { status: 'rescheduled' }),
			appt('2026-05-04T16:00:00.000Z', '2026-05-04T17:00:00.000Z', { deletedAt: from }),
			appt('2026-05-04T16:00:00.000Z', '2026-05-04T17:00:00.000Z', { providerId: P2 }),
			appt('2026-05-04T18:00:00.000Z', '2026-05-04T18:30:00.000Z', { status: 'arrived' }),
			appt('2026-05-04T18:30:00.000Z', '2026-05-04T19:00:00.000Z', { status: 'completed' })
		];
		expect(busyBlocksOf(list, P1, from, to)).toEqual([
			{ start: '2026-05-04T14:00:00.000Z', end: '2026-05-04T14:50:00.000Z' },
			{ start: '2026-05-04T15:00:00.000Z', end: '2026-05-04T15:30:00.000Z' },
			{ start: '2026-05-04T18:00:00.000Z', end: '2026-05-04T19:00:00.000Z' }
		]);
		expect(busyBlocksOf(list, P2, from, to)).toEqual([
			{ start: '2026-05-04T16:00:00.000Z', end: '2026-05-04T17:00:00.000Z' }
		]);
	});

	it('keeps appointments that cross the window whole, drops those outside, and normalizes to UTC', () => {
		const list = [
			appt('2026-05-03T23:30:00.000Z', '2026-05-04T00:30:00.000Z'),
			appt('2026-05-03T22:00:00.000Z', '2026-05-04T00:00:00.000Z'), // ends at the window's start
			appt('2026-05-05T00:00:00.000Z', '2026-05-05T01:00:00.000Z'), // starts at its end
			appt('2026-05-04T09:00:00-05:00', '2026-05-04T09:30:00-05:00')
		];
		expect(busyBlocksOf(list, P1, from, to)).toEqual([
			{ start: '2026-05-03T23:30:00.000Z', end: '2026-05-04T00:30:00.000Z' },
			{ start: '2026-05-04T14:00:00.000Z', end: '2026-05-04T14:30:00.000Z' }
		]);
		expect(busyBlocksOf(list, P1, to, from)).toEqual([]);
	});

	it('cuts a merged run longer than 12 hours into pieces that fit the published limit', () => {
		const list = [];
		for (let h = 0; h < 15; h++) {
			const s = Date.parse('2026-05-04T06:00:00.000Z') + h * 3600_000;
			list.push(appt(new Date(s).toISOString(), new Date(s + 3600_000).toISOString()));
		}
		const blocks = busyBlocksOf(list, P1, from, to);
		expect(blocks).toEqual([
			{ start: '2026-05-04T06:00:00.000Z', end: '2026-05-04T18:00:00.000Z' },
			{ start: '2026-05-04T18:00:00.000Z', end: '2026-05-04T21:00:00.000Z' }
		]);
		expect(publishedBlocks.safeParse({ providerId: P1, timeZone: TZ, blocks }).success).toBe(true);
		expect(MAX_BLOCK_MS).toBe(12 * 3600_000);
	});
});

describe('busyFeedIcs', () => {
	const blocks = [
		{ start: '2026-03-08T07:30:00.000Z', end: '2026-03-08T08:30:00.000Z' },
		{ start: '2026-11-01T06:30:00.000Z', end: '2026-11-01T08:00:00.000Z' }
	];

	it('serves Busy blocks with stable UIDs that ical.js reads back exactly', () => {
		const text = busyFeedIcs({ name: "Dr. Lee's phone", providerId: P1, timeZone: TZ, blocks, stamp: STAMP });
		const { events } = parse(text);
		expect(events).toEqual(
			blocks.map((b) => ({ uid: busyBlockUid(P1, b), summary: 'Busy', ...b, stamp: STAMP }))
		);
		expect(events[0]!.uid).toMatch(/^[0-9a-f-]{36}@clinicdesk$/);
		// Same block, same UID, whatever the instant's spelling; another provider or time, another UID.
		expect(busyBlockUid(P1, { start: '2026-03-08T01:30:00-06:00', end: '2026-03-08T08:30:00Z' })).toBe(
			events[0]!.uid
		);
		expect(busyBlockUid(P2, blocks[0]!)).not.toBe(events[0]!.uid);
		expect(new Set(events.map((e) => e.uid)).size).toBe(2);
		expect(parse(busyFeedIcs({ name: 'x', providerId: P1, timeZone: TZ, blocks })).events).toHaveLength(2);
	});
});

describe('publishedBlocks', () => {
	const ok = {
		providerId: P1,
		timeZone: TZ,
		blocks: [{ start: '2026-05-04T14:00:00Z', end: '2026-05-04T15:00:00Z' }]
	};
	const messages = (v: unknown) => {
		const r = publishedBlocks.safeParse(v);
		return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
	};

	it('accepts instants with Z or an offset, and an empty list (nothing busy)', () => {
		expect(messages(ok)).toEqual([]);
		expect(
			messages({ ...ok, blocks: [{ start: '2026-05-04T09:00:00-05:00', end: '2026-05-04T10:00:00-05:00' }] })
		).toEqual([]);
		expect(messages({ ...ok, blocks: [] })).toEqual([]);
	});

	it('refuses backwards, empty and over-long blocks, with clear messages', () => {
		const block = (start: string, end: string) => ({ ...ok, blocks: [{ start, end }] });
		expect(messages(block('2026-05-04T15:00:00Z', '2026-05-04T14:00:00Z'))).toEqual([
			'blocks.0.end: A block must end after it starts'
		]);
		expect(messages(block('2026-05-04T15:00:00Z', '2026-05-04T15:00:00Z'))).toHaveLength(1);
		expect(messages(block('2026-05-04T00:00:00Z', '2026-05-04T12:00:01Z'))).toEqual([
			'blocks.0.end: A block cannot last over 12 hours'
		]);
		expect(messages(block('2026-05-04T00:00:00Z', '2026-05-04T12:00:00Z'))).toEqual([]);
	});

	it('refuses extra fields (no patient can ride along), bad instants, zones, ids and too many blocks', () => {
		expect(messages({ ...ok, blocks: [{ ...ok.blocks[0], summary: 'Zqxy Testpatient' }] })).not.toEqual([]);
		expect(messages({ ...ok, patientName: 'Zqxy Testpatient' })).not.toEqual([]);
		expect(
			messages({ ...ok, blocks: [{ start: '2026-05-04 14:00', end: '2026-05-04T15:00:00Z' }] })
		).not.toEqual([]);
		expect(
			messages({ ...ok, blocks: [{ start: '2026-05-04T14:00:00', end: '2026-05-04T15:00:00' }] })
		).not.toEqual([]);
		expect(messages({ ...ok, timeZone: 'Mars/Olympus' })).toEqual(['timeZone: Unknown time zone']);
		expect(messages({ ...ok, providerId: 'dr-lee' })).not.toEqual([]);
		const many = Array.from({ length: 5001 }, (_, i) => {
			const s = Date.parse('2026-01-01T00:00:00Z') + i * 3600_000;
			return { start: new Date(s).toISOString(), end: new Date(s + 1800_000).toISOString() };
		});
		expect(messages({ ...ok, blocks: many })).toEqual([
			'blocks: At most 5000 blocks can be published at once'
		]);
		expect(messages({ ...ok, blocks: many.slice(0, 5000) })).toEqual([]);
	});
});
