/**
 * What the printed day sheet and appointment card say: a patient's phone and insurance on the day,
 * the rows of one provider's sheet, and the little a reminder card may carry.
 */
import {
	displayName,
	localDate,
	occupiesSlot,
	type Address,
	type Appointment,
	type Patient,
	type Provider
} from '$lib/domain';
import { shortDate } from '../admin/scheduling';
import { clinicDateTime, formatPhone } from '../patients/record/format';
import { clinicTime } from './format';

/** `04/09/1975`, as US forms write a date of birth. */
export function usDate(date: string): string {
	return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;
}

/** The primary phone (else the first), formatted. */
export function primaryPhoneText(p: Pick<Patient, 'phones'>): string {
	const phone = p.phones.find((x) => x.primary) ?? p.phones[0];
	return phone ? formatPhone(phone.number) : '';
}

/** `Acme Health · M123456`: the primary coverage in effect on a date. */
export function insuranceText(p: Pick<Patient, 'coverages'>, on: string): string {
	const c = p.coverages.find(
		(x) =>
			x.order === 'primary' &&
			(x.effectiveFrom === undefined || x.effectiveFrom <= on) &&
			(x.effectiveTo === undefined || x.effectiveTo >= on)
	);
	return c ? `${c.payerName} · ${c.memberId}` : 'None on file';
}

export interface SheetRow {
	id: string;
	time: string;
	patient: string;
	dateOfBirth: string;
	type: string;
	reason: string;
	phone: string;
	insurance: string;
}

/** One provider's appointments on the sheet: those that hold a slot, by time. */
export function daySheetRows(
	appointments: readonly Appointment[],
	providerId: string,
	ctx: {
		date: string;
		timeZone: string;
		patient: (id: string) => Patient | undefined;
		typeName: (id: string) => string;
	}
): SheetRow[] {
	return appointments
		.filter((a) => a.providerId === providerId && occupiesSlot(a.status))
		.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id))
		.map((a) => {
			const p = ctx.patient(a.patientId);
			return {
				id: a.id,
				time: clinicTime(a.start, ctx.timeZone),
				patient: p ? displayName(p) : 'Unknown patient',
				dateOfBirth: p ? usDate(p.dateOfBirth) : '',
				type: ctx.typeName(a.typeId),
				reason: a.reason,
				phone: p ? primaryPhoneText(p) : '',
				insurance: p ? insuranceText(p, ctx.date) : ''
			};
		});
}

/**
 * The providers a sheet is printed for: the one asked for, or every provider with a booking that
 * day (a blank page for an absent provider only wastes paper).
 */
export function sheetProviders(
	providers: readonly Provider[],
	appointments: readonly Appointment[],
	which: string
): Provider[] {
	if (which !== 'all') return providers.filter((p) => p.id === which);
	const busy = new Set(appointments.filter((a) => occupiesSlot(a.status)).map((a) => a.providerId));
	return providers.filter((p) => busy.has(p.id));
}

/** `Printed Nov 28, 2026, 10:42 AM` in the clinic's zone. */
export function printedText(now: Date, timeZone: string): string {
	return `Printed ${clinicDateTime(now.toISOString(), timeZone)}`;
}

/** A `yyyy-mm-dd` from an address, or undefined if it is not one. */
export function dateParam(value: string | null): string | undefined {
	return value && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
		? value
		: undefined;
}

/**
 * Whether a date is within `years` of today. Showing a date opens every schedule month between it
 * and today, so a slip of the keyboard (year 0202) must not be followed.
 */
export function nearToday(date: string, today: string, years = 2): boolean {
	const y = Number(today.slice(0, 4));
	return date >= `${y - years}${today.slice(4)}` && date <= `${y + years}${today.slice(4)}`;
}

/** `Ombrel Q.`: enough for a card the patient carries, and no more. */
export function cardName(p: Pick<Patient, 'givenName' | 'preferredName' | 'familyName'>): string {
	return `${p.preferredName || p.givenName} ${p.familyName.slice(0, 1).toUpperCase()}.`;
}

export function addressLines(a: Address | undefined): string[] {
	if (!a) return [];
	const cityLine = [a.city, [a.state, a.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
	return [a.line1, a.line2 ?? '', cityLine].filter((l) => l.trim() !== '');
}

/** When the card's appointment is, in the clinic's zone. */
export function cardWhen(a: Pick<Appointment, 'start'>, timeZone: string): { date: string; time: string } {
	return { date: shortDate(localDate(a.start, timeZone)), time: clinicTime(a.start, timeZone) };
}
