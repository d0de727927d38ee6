import type { Patient } from '../patients/schemas';
import type { AvailabilityException, AvailabilityTemplate } from '../schedule/availability-schemas';
import type { WaitlistEntry } from '../schedule/records';
import type { Appointment } from '../schedule/schemas';
import type { AppointmentType, Clinic, Provider, Room } from '../workspace/schemas';
import { generateAppointments } from './appointments';
import { buildAvailabilityTemplates, buildHolidayExceptions, buildWaitlist } from './availability';
import { buildClinic, buildPatients, buildProviders, buildRooms, buildTypes } from './people';
import { Rng } from './rng';
import { addMonths, dayNumber, MS_PER_DAY, MS_PER_MINUTE, zonedTimeToUtc } from './time';

export interface DemoOptions {
	seed: number;
	/** ISO date 'yyyy-mm-dd' the data is centred on (required, so output is deterministic). */
	today: string;
	/** Default 'America/Chicago'. */
	timeZone?: string;
	/** Default 5. */
	providers?: number;
	/** Default 4. */
	rooms?: number;
	/** Default 400. */
	patients?: number;
	/** Default 2. */
	monthsBack?: number;
	/** Default 2. */
	monthsAhead?: number;
	/** Share of each provider's bookable slots that are booked, default 0.6 (tapers in the far future). */
	fillRatio?: number;
}

export interface DemoClinic {
	clinic: Clinic;
	providers: Provider[];
	rooms: Room[];
	appointmentTypes: AppointmentType[];
	patients: Patient[];
	appointments: Appointment[];
	/** One per provider: the weekday hours the generator books in (schedule/common). */
	availabilityTemplates: AvailabilityTemplate[];
	/** Clinic-wide holidays (and any clock-change weekday) the generator keeps closed. */
	availabilityExceptions: AvailabilityException[];
	/** Patients waiting for an earlier slot, all 'waiting'. */
	waitlist: WaitlistEntry[];
}

type Preset = Omit<DemoOptions, 'seed' | 'today'>;

export const DEMO_PRESETS: { small: Preset; large: Preset } = {
	/** What "Open demo clinic" loads. */
	small: {
		timeZone: 'America/Chicago',
		providers: 5,
		rooms: 4,
		patients: 400,
		monthsBack: 2,
		monthsAhead: 2,
		fillRatio: 0.6
	},
	/** Benchmark scale: about 100,000 appointments over three and a half years. */
	large: {
		timeZone: 'America/Chicago',
		providers: 5,
		rooms: 4,
		patients: 20_000,
		monthsBack: 36,
		monthsAhead: 6,
		fillRatio: 0.9
	}
};

export const CLINIC_OPEN_MINUTE = 8 * 60;
export const CLINIC_CLOSE_MINUTE = 17 * 60;
/** Bookings made or resolved before this local time on `today` are history; the rest is pending. */
export const DEMO_NOW_MINUTE = 12 * 60;

/** The instant the demo data treats as "now": noon, clinic time, on `today`. */
export function demoNow(today: string, timeZone = 'America/Chicago'): string {
	return new Date(zonedTimeToUtc(dayNumber(today), DEMO_NOW_MINUTE, timeZone)).toISOString();
}

function count(name: string, value: number | undefined, fallback: number): number {
	const v = value ?? fallback;
	if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a whole number ≥ 0`);
	return v;
}

// Independent PRNG streams: changing the patient count must not rename the providers.
const STREAM_STAFF = 1;
const STREAM_PATIENTS = 2;
const STREAM_SCHEDULE = 3;
const STREAM_WAITLIST = 4;

export function generateDemoClinic(opts: DemoOptions): DemoClinic {
	const timeZone = opts.timeZone ?? 'America/Chicago';
	try {
		new Intl.DateTimeFormat('en-US', { timeZone });
	} catch {
		throw new RangeError(`Unknown time zone: ${timeZone}`);
	}
	const today = dayNumber(opts.today);
	const fillRatio = opts.fillRatio ?? 0.6;
	if (!(fillRatio >= 0 && fillRatio <= 1)) throw new RangeError('fillRatio must be between 0 and 1');
	const firstDay = addMonths(today, -count('monthsBack', opts.monthsBack, 2));
	const lastDay = addMonths(today, count('monthsAhead', opts.monthsAhead, 2));

	// The clinic was set up six weeks before the first appointment and its patients imported over two weeks.
	const setupDay = firstDay - 45;
	const setupMs = zonedTimeToUtc(setupDay, 9 * 60 + 30, timeZone);
	const importDays = 14;
	const staff = new Rng(opts.seed, STREAM_STAFF);
	const clinic = buildClinic(staff, timeZone, setupMs);
	const staffMs = setupMs + 5 * MS_PER_MINUTE;
	const providers = buildProviders(staff, count('providers', opts.providers, 5), staffMs);
	const rooms = buildRooms(staff, count('rooms', opts.rooms, 4), staffMs);
	const appointmentTypes = buildTypes(staff, providers, staffMs);

	const { patients, panels } = buildPatients(
		new Rng(opts.seed, STREAM_PATIENTS),
		count('patients', opts.patients, 400),
		{ today, timeZone, createdFromMs: setupMs + 60 * MS_PER_MINUTE, importDays, providers }
	);

	const nowMs = zonedTimeToUtc(today, DEMO_NOW_MINUTE, timeZone);
	const appointments = generateAppointments(new Rng(opts.seed, STREAM_SCHEDULE), {
		timeZone,
		slotMinutes: clinic.slotMinutes,
		openMinute: CLINIC_OPEN_MINUTE,
		closeMinute: CLINIC_CLOSE_MINUTE,
		firstDay,
		lastDay,
		today,
		nowMs,
		bookingsFromMs: setupMs + (importDays + 1) * MS_PER_DAY,
		fillRatio,
		providers,
		types: appointmentTypes,
		rooms,
		patients,
		panels
	});

	const hours = {
		clinicId: clinic.id,
		timeZone,
		setupDay,
		setupMs: staffMs,
		openMinute: CLINIC_OPEN_MINUTE,
		closeMinute: CLINIC_CLOSE_MINUTE,
		firstDay,
		lastDay,
		providers: providers.map((p) => p.provider)
	};

	return {
		clinic,
		providers: hours.providers,
		rooms,
		appointmentTypes,
		patients,
		appointments,
		availabilityTemplates: buildAvailabilityTemplates(hours),
		availabilityExceptions: buildHolidayExceptions(hours),
		waitlist: buildWaitlist(new Rng(opts.seed, STREAM_WAITLIST), {
			timeZone,
			today,
			nowMs,
			openMinute: CLINIC_OPEN_MINUTE,
			closeMinute: CLINIC_CLOSE_MINUTE,
			types: appointmentTypes,
			patients,
			appointments
		})
	};
}
