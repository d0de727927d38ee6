/**
 * iCalendar (RFC 5545) for the schedule (issue "Scheduling", point 10): a provider's busy blocks for
 * the relay's subscription feeds, and the export of a day or a range of appointments as a `.ics` file.
 *
 * Times are written as UTC instants (`DTSTART:20260308T150000Z`, RFC 5545 §3.3.5 form 2), not as
 * local times with a VTIMEZONE:
 * - a UTC instant is exact on DST days (no skipped or repeated local hour to resolve), and every
 *   calendar application shows it in the viewer's own zone, which for a clinic's staff is the
 *   clinic's;
 * - ical-generator has no time zone database: with a zone set it formats native Dates with the
 *   *host's* local time (`getHours()`), which on a relay running in another zone (or UTC) would be
 *   wrong, and a correct VTIMEZONE needs a generator package or a hand-made one per covered range.
 * The clinic's zone is still named in `X-WR-TIMEZONE`, the widely read hint for the calendar's
 * display zone; it does not change what the instants mean.
 *
 * Feed mode ('busy') never carries a patient, an appointment type or a reason: only start, end and
 * the fixed summary "Busy". Details ('details') add the appointment type, and the patient's name only
 * when the caller passes `names` (the screen does so only when the person ticks "include patient
 * names").
 */
import ical from 'ical-generator';
import { CLINICDESK_NAMESPACE, uuidV5 } from '../common/uuid';
import { occupiesSlot } from './schemas';
import { timeZone } from '../common/primitives';
import { type BusyBlock, type SlotLike } from './busy-blocks';

export * from './busy-blocks';

/** The summary of every event in a feed and of 'busy' exports. */
export const BUSY_SUMMARY = 'Busy';
/** PRODID of ClinicDesk's calendars (RFC 5545 §3.7.3). */
export const CLINICDESK_PRODID = '-//ClinicDesk//Schedule//EN';

/** The stable UID of a busy block of a provider: the same block gives the same UID on every publish. */
export function busyBlockUid(providerId: string, block: BusyBlock): string {
	const start = new Date(block.start).toISOString();
	const end = new Date(block.end).toISOString();
	return `${uuidV5(`busy/${providerId.toLowerCase()}/${start}/${end}`, CLINICDESK_NAMESPACE)}@clinicdesk`;
}

export interface IcsEvent {
	/** Globally unique and stable across exports: `<id>@clinicdesk`. */
	uid: string;
	/** Instants (ISO with an offset or Z, or Dates). */
	start: string | Date;
	end: string | Date;
	summary: string;
}

export interface CalendarOptions {
	/** The calendar's name (`NAME`, `X-WR-CALNAME`). */
	name: string;
	/** The clinic's IANA zone, named in `X-WR-TIMEZONE` (times themselves are UTC, see above). */
	timeZone: string;
	events: readonly IcsEvent[];
	prodId?: string;
	/** DTSTAMP of every event (RFC 5545 §3.8.7.2): when this calendar was made. Default: now. */
	stamp?: string | Date;
	/** Suggested refresh interval for subscribers (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`). */
	refreshSeconds?: number;
}

/** RFC 5545 text (CRLF line ends, lines folded at 75 octets). */
export function calendarIcs(opts: CalendarOptions): string {
	const stamp = new Date(opts.stamp ?? Date.now());
	const cal = ical({
		// ical-generator adds the leading '-' itself.
		prodId: (opts.prodId ?? CLINICDESK_PRODID).replace(/^-/, ''),
		name: escapeText(oneLine(opts.name, 120))
	});
	if (opts.refreshSeconds) cal.ttl(opts.refreshSeconds);
	for (const e of opts.events) {
		cal.createEvent({
			id: e.uid,
			start: new Date(e.start),
			end: new Date(e.end),
			summary: oneLine(e.summary, 300),
			stamp
		});
	}
	let text = cal.toString();
	// ical-generator writes custom properties after the events, where RFC 5545's grammar has no place
	// for calendar properties; the zone hint goes right after VERSION instead. Zone names are checked
	// against Intl and short, so the line needs neither escaping nor folding.
	const tz = timeZone.safeParse(opts.timeZone);
	if (tz.success && /^[A-Za-z0-9_+\-/]{1,64}$/.test(tz.data)) {
		text = text.replace('VERSION:2.0\r\n', `VERSION:2.0\r\nX-WR-TIMEZONE:${tz.data}\r\n`);
	}
	return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

/** Control characters (line breaks included) become spaces; at most `max` characters. */
function oneLine(text: string, max: number): string {
	return (
		text
			// eslint-disable-next-line no-control-regex
			.replace(/[\u0000-\u001f\u007f]+/g, ' ')
			.trim()
			.slice(0, max)
	);
}

/**
 * NAME and X-WR-CALNAME are not escaped by ical-generator (SUMMARY is): the TEXT specials are
 * escaped here (RFC 5545 §3.3.11), after oneLine has removed line breaks, which would otherwise
 * start a new property.
 */
function escapeText(text: string): string {
	return text.replace(/[\\;,]/g, (c) => `\\${c}`);
}

/** What appointmentsIcs needs of an appointment (an `Appointment` fits). */
export interface ExportableAppointment extends SlotLike {
	id: string;
	patientId: string;
	typeId: string;
}

interface ExportCommon {
	/** The clinic's IANA zone (see calendarIcs). */
	timeZone: string;
	calendarName: string;
	stamp?: string | Date;
}

export type AppointmentsIcsOptions =
	| (ExportCommon & {
			/** "Busy" and the times only: no patient, no type. */
			mode: 'busy';
	  })
	| (ExportCommon & {
			/** The appointment type, and the patient's name only when `names` is given. */
			mode: 'details';
			/** Pass only when the person chose to include patient names. */
			names?: (patientId: string) => string | undefined;
			typeName?: (typeId: string) => string | undefined;
	  });

/**
 * The appointments as a calendar, one event per appointment that holds a slot (cancelled, no-show,
 * rescheduled and deleted ones are left out), in start order. UIDs are `<appointment id>@clinicdesk`,
 * so importing a later export of the same day updates the events instead of duplicating them.
 */
export function appointmentsIcs(
	appointments: Iterable<ExportableAppointment>,
	opts: AppointmentsIcsOptions
): string {
	const kept = [...appointments]
		.filter((a) => !a.deletedAt && occupiesSlot(a.status) && Date.parse(a.start) < Date.parse(a.end))
		.sort((x, y) => Date.parse(x.start) - Date.parse(y.start) || (x.id < y.id ? -1 : 1));
	const events: IcsEvent[] = kept.map((a) => ({
		uid: `${a.id}@clinicdesk`,
		start: a.start,
		end: a.end,
		summary: opts.mode === 'busy' ? BUSY_SUMMARY : detailsSummary(a, opts.typeName, opts.names)
	}));
	return calendarIcs({
		name: opts.calendarName,
		timeZone: opts.timeZone,
		events,
		stamp: opts.stamp
	});
}

function detailsSummary(
	a: ExportableAppointment,
	typeName: ((typeId: string) => string | undefined) | undefined,
	names: ((patientId: string) => string | undefined) | undefined
): string {
	const type = typeName?.(a.typeId)?.trim() || 'Appointment';
	const name = names?.(a.patientId)?.trim();
	return name ? `${type} — ${name}` : type;
}

/** The feed's calendar for a provider's published blocks (what the relay serves). */
export function busyFeedIcs(opts: {
	name: string;
	providerId: string;
	timeZone: string;
	blocks: readonly BusyBlock[];
	stamp?: string | Date;
	refreshSeconds?: number;
}): string {
	return calendarIcs({
		name: opts.name,
		timeZone: opts.timeZone,
		stamp: opts.stamp,
		refreshSeconds: opts.refreshSeconds,
		events: opts.blocks.map((b) => ({
			uid: busyBlockUid(opts.providerId, b),
			start: b.start,
			end: b.end,
			summary: BUSY_SUMMARY
		}))
	});
}
