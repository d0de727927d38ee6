/**
 * Words and formats for the patient record: friendly dates in the clinic's time zone, ages, phone
 * numbers, staff names, and the labels of the record's coded values.
 */
import { ageOn, localDate, normalizePhone, type AppointmentStatus, type Patient } from '$lib/domain';
import type { DuplicateReason } from '$lib/domain/patients/duplicates';

/** Who last changed a field of a record, and when (as `patients.lastChanges` returns it). */
export type Changes = Record<string, { by: string; at: string }>;

const dateFormat = new Intl.DateTimeFormat('en-US', {
	month: 'short',
	day: 'numeric',
	year: 'numeric',
	timeZone: 'UTC'
});

/** `Apr 9, 1975` for a calendar date (`1975-04-09`); '' for none. */
export function friendlyDate(date: string | undefined): string {
	return date ? dateFormat.format(new Date(`${date}T00:00:00Z`)) : '';
}

/** `51` (years), or `8 mo` / `12 days` for a baby, on a given date: shown as "age 51". */
export function ageText(dateOfBirth: string, today: string): string {
	const years = ageOn(dateOfBirth, today);
	if (years >= 2) return String(years);
	const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
	const [y, m, d] = today.split('-').map(Number) as [number, number, number];
	const months = (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
	if (months >= 1) return `${months} mo`;
	const days = Math.round(
		(Date.parse(`${today}T00:00:00Z`) - Date.parse(`${dateOfBirth}T00:00:00Z`)) / 864e5
	);
	return `${Math.max(0, days)} day${days === 1 ? '' : 's'}`;
}

const zoned = new Map<string, Intl.DateTimeFormat>();
function zonedFormat(timeZone: string, kind: 'time' | 'day' | 'full'): Intl.DateTimeFormat {
	const key = `${timeZone}|${kind}`;
	let f = zoned.get(key);
	if (!f) {
		const opts: Intl.DateTimeFormatOptions =
			kind === 'time'
				? { hour: 'numeric', minute: '2-digit' }
				: kind === 'day'
					? { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' }
					: { month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit' };
		f = new Intl.DateTimeFormat('en-US', { ...opts, timeZone });
		zoned.set(key, f);
	}
	return f;
}

/** `10:42 AM` for an instant, in the clinic's zone. */
export function clinicTime(instant: string, timeZone: string): string {
	return zonedFormat(timeZone, 'time').format(new Date(instant));
}

/** `Thu, Apr 9, 2026` for the clinic's calendar day of an instant. */
export function clinicDay(instant: string, timeZone: string): string {
	return zonedFormat(timeZone, 'day').format(new Date(instant));
}

/** `Apr 9, 2026, 10:42 AM` for an instant in the clinic's zone. */
export function clinicDateTime(instant: string, timeZone: string): string {
	return zonedFormat(timeZone, 'full').format(new Date(instant));
}

/** A short "when" for a change: the time today, else the date. */
export function whenChanged(instant: string, timeZone: string, today: string): string {
	const day = localDate(instant, timeZone);
	if (day === today) return clinicTime(instant, timeZone);
	const date = friendlyDate(day);
	return day.slice(0, 4) === today.slice(0, 4) ? date.replace(/, \d{4}$/, '') : date;
}

/** `(312) 555-0123` for a ten-digit number; anything else as entered. */
export function formatPhone(number: string): string {
	const d = normalizePhone(number);
	return d.length === 10 ? `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}` : number.trim();
}

/** `Quistane, Ombrel Anne Jr.`: the legal name, family name first. */
export function legalName(p: Pick<Patient, 'familyName' | 'givenName' | 'middleName' | 'suffix'>): string {
	return `${p.familyName}, ${[p.givenName, p.middleName, p.suffix].filter(Boolean).join(' ')}`;
}

/** A staff member's name from their user id ("another user" when not in this clinic's keyring). */
export function staffName(users: readonly { id: string; displayName: string }[], id: string): string {
	return users.find((u) => u.id === id)?.displayName ?? 'another user';
}

/** Today's date in the clinic's zone. */
export function clinicToday(timeZone: string, now = new Date()): string {
	return localDate(now, timeZone);
}

export const PHONE_TYPE_LABELS = { mobile: 'Mobile', home: 'Home', work: 'Work', other: 'Other' } as const;

export const SEX_LABELS = { female: 'Female', male: 'Male', other: 'Other', unknown: 'Unknown' } as const;

export const CONSENT_LABELS = {
	'privacy-notice': 'Privacy notice acknowledgement',
	treatment: 'Consent to treatment',
	'financial-policy': 'Financial policy',
	'text-messages': 'Text messages',
	email: 'E-mail communication',
	'release-of-information': 'Release of information',
	telehealth: 'Telehealth'
} as const;

export const GUARDIAN_RELATIONSHIP_LABELS = {
	mother: 'Mother',
	father: 'Father',
	parent: 'Parent',
	'legal-guardian': 'Legal guardian',
	grandparent: 'Grandparent',
	other: 'Other'
} as const;

export const CONTACT_METHOD_LABELS = {
	phone: 'Phone call',
	text: 'Text message',
	email: 'E-mail',
	mail: 'Mail',
	portal: 'Patient portal'
} as const;

export const COVERAGE_ORDER_LABELS = {
	primary: 'Primary',
	secondary: 'Secondary',
	tertiary: 'Tertiary'
} as const;

export const SUBSCRIBER_LABELS = { self: 'Self', spouse: 'Spouse', child: 'Child', other: 'Other' } as const;

export const DUPLICATE_REASON_LABELS: Record<DuplicateReason, string> = {
	'name-and-birth-date': 'similar name, same date of birth',
	phone: 'same phone number',
	'member-id': 'same insurance member ID'
};

export const STATUS_LABELS: Record<AppointmentStatus, string> = {
	booked: 'Booked',
	confirmed: 'Confirmed',
	arrived: 'Arrived',
	'in-room': 'In room',
	completed: 'Completed',
	'no-show': 'No-show',
	cancelled: 'Cancelled',
	rescheduled: 'Rescheduled'
};

/** Field names as a person reads them, for "changed by" notes. */
export const FIELD_LABELS: Record<string, string> = {
	familyName: 'Family name',
	givenName: 'Given name',
	middleName: 'Middle name',
	suffix: 'Suffix',
	preferredName: 'Preferred name',
	dateOfBirth: 'Date of birth',
	sex: 'Sex',
	genderIdentity: 'Gender identity',
	pronouns: 'Pronouns',
	mrn: 'MRN',
	otherMrns: 'Former MRNs',
	phones: 'Phone',
	email: 'E-mail',
	address: 'Address',
	preferredLanguage: 'Preferred language',
	emergencyContacts: 'Emergency contacts',
	guardian: 'Guardian',
	consents: 'Consents',
	privacy: 'Privacy preferences',
	alerts: 'Alerts',
	primaryProviderId: 'Primary care provider',
	coverages: 'Insurance'
};

export const LANGUAGES = [
	'English',
	'Spanish',
	'Chinese (Mandarin)',
	'Chinese (Cantonese)',
	'Vietnamese',
	'Tagalog',
	'Arabic',
	'French',
	'Haitian Creole',
	'Korean',
	'Russian',
	'Portuguese',
	'Polish',
	'Hindi',
	'Urdu',
	'Somali',
	'American Sign Language'
];

export const ALERT_SUGGESTIONS = [
	'Needs interpreter',
	'Wheelchair',
	'Hard of hearing',
	'Low vision',
	'Service animal',
	'Needs assistance to transfer',
	'Guardian must attend',
	'Latex allergy',
	'Call before arrival'
];

export const PRONOUN_SUGGESTIONS = ['she/her', 'he/him', 'they/them'];

export const GENDER_IDENTITY_SUGGESTIONS = [
	'Woman',
	'Man',
	'Non-binary',
	'Transgender woman',
	'Transgender man',
	'Prefer not to say'
];
