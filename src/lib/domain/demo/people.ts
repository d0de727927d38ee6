import type { Coverage, Patient, Phone } from '../patients/schemas';
import type { AppointmentType, Clinic, Provider, Room } from '../workspace/schemas';
import {
	areaCodes,
	familyName,
	fictionalAddress,
	fictionalEmail,
	fictionalNpi,
	fictionalPhone,
	givenName,
	type NameStyle
} from './names';
import type { Rng } from './rng';
import {
	CLINIC_FIRST,
	CLINIC_KIND,
	CLINIC_SECOND,
	CONTACT_RELATIONSHIPS,
	LANGUAGES,
	PAYERS,
	PLAN_NAMES,
	PROVIDER_COLORS,
	PROVIDER_ROLES,
	RARE_ALERTS,
	TYPE_SPECS,
	type ProviderRole
} from './tables';
import { addMonths, dayNumber, isoDay, isoInstant, MS_PER_MINUTE } from './time';

const iso = isoInstant;

export function buildClinic(rng: Rng, timeZone: string, createdMs: number): Clinic {
	const name = `${rng.pick(CLINIC_FIRST)} ${rng.pick(CLINIC_SECOND)} ${rng.pick(CLINIC_KIND)} (demo)`;
	return {
		id: rng.uuid(),
		createdAt: iso(createdMs),
		updatedAt: iso(createdMs),
		name,
		timeZone,
		slotMinutes: 15,
		phone: fictionalPhone(rng, areaCodes(timeZone)),
		address: fictionalAddress(rng, timeZone),
		idleLockMinutes: 10,
		mrnPattern: 'MRN-{n}',
		demo: true
	};
}

export interface DemoProvider {
	provider: Provider;
	role: ProviderRole;
}

/** Colours past the fixed palette walk the hue circle by the golden angle so neighbours stay distinct. */
function providerColor(i: number): string {
	const fixed = PROVIDER_COLORS[i];
	if (fixed) return fixed;
	const h = (i * 137.508) % 360;
	const f = (n: number): string => {
		const k = (n + h / 30) % 12;
		const v = 0.42 - 0.3 * Math.max(-1, Math.min(k - 3, 9 - k, 1));
		return Math.round(v * 255)
			.toString(16)
			.padStart(2, '0');
	};
	return `#${f(0)}${f(8)}${f(4)}`;
}

export function buildProviders(rng: Rng, count: number, createdMs: number): DemoProvider[] {
	return Array.from({ length: count }, (_, i) => {
		const role = PROVIDER_ROLES[i % PROVIDER_ROLES.length]!;
		const style: NameStyle = rng.chance(0.5) ? 'feminine' : 'masculine';
		const provider: Provider = {
			id: rng.uuid(),
			createdAt: iso(createdMs),
			updatedAt: iso(createdMs),
			displayName: `${givenName(rng, style).name} ${familyName(rng)}`,
			credentials: role.credentials,
			specialty: role.specialty,
			color: providerColor(i),
			active: true
		};
		// A few providers are still waiting on their NPI, which the schema allows.
		if (rng.chance(0.85)) provider.npi = fictionalNpi(rng);
		return { provider, role };
	});
}

export function buildRooms(rng: Rng, count: number, createdMs: number): Room[] {
	return Array.from({ length: count }, (_, i) => ({
		id: rng.uuid(),
		createdAt: iso(createdMs),
		updatedAt: iso(createdMs),
		name: count >= 4 && i === count - 1 ? 'Procedure room' : `Exam ${i + 1}`,
		bookable: true,
		active: true
	}));
}

export function buildTypes(
	rng: Rng,
	providers: readonly DemoProvider[],
	createdMs: number
): AppointmentType[] {
	const physicians = providers.filter((p) => p.role.physician).map((p) => p.provider.id);
	return TYPE_SPECS.map((spec) => ({
		id: rng.uuid(),
		createdAt: iso(createdMs),
		updatedAt: iso(createdMs),
		name: spec.name,
		durationMinutes: spec.durationMinutes,
		color: spec.color,
		bufferBeforeMinutes: 0,
		bufferAfterMinutes: spec.bufferAfterMinutes,
		newPatient: spec.newPatient,
		// With no physician on staff, an empty list means everyone offers procedures.
		providerIds: spec.physiciansOnly ? physicians : [],
		active: true
	}));
}

/** Draws an age in whole years, 0–95, shaped roughly like a family practice panel. */
function drawAge(rng: Rng): number {
	const r = rng.float();
	if (r < 0.2) return rng.int(0, 17);
	if (r < 0.8) return rng.int(18, 64);
	return rng.int(65, 95);
}

/** A birth date giving exactly `age` on `today`, never in the last week (so it is never "future"). */
function birthDay(rng: Rng, today: number, age: number): number {
	const earliest = addMonths(today, -12 * (age + 1)) + 1;
	const latest = Math.min(addMonths(today, -12 * age), today - 7);
	return rng.int(earliest, latest);
}

function phonesFor(rng: Rng, age: number, codes: readonly string[]): Phone[] {
	if (age >= 75 && rng.chance(0.4))
		return [{ type: 'home', number: fictionalPhone(rng, codes), canText: false, primary: true }];
	const phones: Phone[] = [
		{ type: 'mobile', number: fictionalPhone(rng, codes), canText: rng.chance(0.8), primary: true }
	];
	if (rng.chance(0.3))
		phones.push({
			type: rng.chance(0.7) ? 'home' : 'work',
			number: fictionalPhone(rng, codes),
			canText: false,
			primary: false
		});
	return phones;
}

type Holder = Pick<Coverage, 'subscriberRelationship'> &
	Partial<Pick<Coverage, 'subscriberName' | 'subscriberDateOfBirth'>>;

function coveragesFor(rng: Rng, today: number, dob: number, age: number, family: string): Coverage[] {
	if (!rng.chance(0.6)) return [];
	const minor = age < 18;
	// Each coverage draws its own holder: a child is often on one parent's plan and the other's as secondary.
	const holder = (): Holder => {
		if (!minor && !(age >= 22 && age < 65 && rng.chance(0.15))) return { subscriberRelationship: 'self' };
		const style: NameStyle = rng.chance(0.5) ? 'feminine' : 'masculine';
		const holderAge = minor ? age + rng.int(20, 40) : Math.max(18, age + rng.int(-5, 5));
		return {
			subscriberRelationship: minor ? 'child' : 'spouse',
			subscriberName: `${givenName(rng, style).name} ${family}`,
			subscriberDateOfBirth: isoDay(birthDay(rng, today, holderAge))
		};
	};
	const one = (order: 'primary' | 'secondary'): Coverage => {
		const payer = rng.pick(PAYERS);
		// Plans start on the first of a month, but a baby's coverage starts at birth.
		const start = today - rng.int(30, 8 * 365);
		const coverage: Coverage = {
			id: rng.uuid(),
			order,
			payerName: payer,
			payerId: rng.digits(5),
			planName: rng.pick(PLAN_NAMES),
			memberId: payer.slice(0, 2).toUpperCase() + rng.alnum(9),
			effectiveFrom: isoDay(Math.max(dob, dayNumber(isoDay(start).slice(0, 8) + '01'))),
			...holder()
		};
		if (rng.chance(0.8)) coverage.groupNumber = `G${rng.digits(6)}`;
		return coverage;
	};
	const list = [one('primary')];
	if (rng.chance(0.25)) list.push(one('secondary'));
	return list;
}

export interface PatientContext {
	today: number;
	timeZone: string;
	createdFromMs: number;
	/** Patients are imported over this many days after the clinic is set up. */
	importDays: number;
	providers: readonly DemoProvider[];
}

/**
 * Patients plus each provider's panel (indices into the patient list), which the scheduler books from so
 * most visits are with the patient's own provider. Children mostly go to the pediatrician.
 */
export function buildPatients(
	rng: Rng,
	count: number,
	ctx: PatientContext
): { patients: Patient[]; panels: number[][] } {
	const codes = areaCodes(ctx.timeZone);
	const panels: number[][] = ctx.providers.map(() => []);
	const pediatric = ctx.providers.findIndex((p) => p.role.specialty === 'Pediatrics');
	const adultProviders = ctx.providers.map((_, i) => i).filter((i) => i !== pediatric);
	const patients: Patient[] = [];
	for (let n = 0; n < count; n++) {
		const age = drawAge(rng);
		const r = rng.float();
		const sex = r < 0.49 ? 'female' : r < 0.98 ? 'male' : r < 0.99 ? 'other' : 'unknown';
		const style: NameStyle =
			sex === 'female' || (sex !== 'male' && rng.chance(0.5)) ? 'feminine' : 'masculine';
		const given = givenName(rng, style);
		const family = familyName(rng);
		const dob = birthDay(rng, ctx.today, age);
		const createdMs = ctx.createdFromMs + rng.int(0, ctx.importDays * 1440) * MS_PER_MINUTE;
		const language = rng.chance(0.9) ? 'English' : rng.pick(LANGUAGES);
		const alerts: string[] = [];
		if (language !== 'English' && rng.chance(0.6)) alerts.push('Needs interpreter');
		if (rng.chance(0.05)) alerts.push(rng.pick(RARE_ALERTS));
		const patient: Patient = {
			id: rng.uuid(),
			createdAt: iso(createdMs),
			updatedAt: iso(createdMs + rng.int(0, 600) * MS_PER_MINUTE),
			mrn: `MRN-${String(n + 1).padStart(6, '0')}`,
			familyName: family,
			givenName: given.name,
			dateOfBirth: isoDay(dob),
			sex,
			phones: phonesFor(rng, age, codes),
			preferredLanguage: language,
			emergencyContacts: [],
			alerts,
			coverages: coveragesFor(rng, ctx.today, dob, age, family),
			// Derived without drawing from the generator, so adding them did not change the demo clinic.
			consents: [
				{ type: 'privacy-notice', granted: true, signedOn: iso(createdMs).slice(0, 10) },
				{ type: 'financial-policy', granted: true, signedOn: iso(createdMs).slice(0, 10) }
			],
			privacy: {
				preferredContact: 'phone',
				noVoicemailDetails: false,
				restricted: false,
				noDirectory: false
			},
			otherMrns: []
		};
		if (rng.chance(0.35)) patient.middleName = givenName(rng, style).name;
		if (rng.chance(0.08)) patient.preferredName = given.short;
		if (sex === 'other' || rng.chance(0.02)) {
			patient.genderIdentity = 'Non-binary';
			patient.pronouns = 'they/them';
		}
		if (age >= 16 && rng.chance(0.65)) patient.email = fictionalEmail(rng, given.name, family);
		if (rng.chance(0.9)) patient.address = fictionalAddress(rng, ctx.timeZone);
		if (age < 18 || rng.chance(0.5)) {
			const contactStyle: NameStyle = rng.chance(0.5) ? 'feminine' : 'masculine';
			patient.emergencyContacts.push({
				name: `${givenName(rng, contactStyle).name} ${age < 18 || rng.chance(0.5) ? family : familyName(rng)}`,
				relationship: age < 18 ? 'Parent' : rng.pick(CONTACT_RELATIONSHIPS),
				phone: fictionalPhone(rng, codes)
			});
			const contact = patient.emergencyContacts[0]!;
			if (age < 18)
				patient.guardian = {
					name: contact.name,
					relationship: 'parent',
					phone: contact.phone,
					authorized: true
				};
		}
		if (ctx.providers.length > 0 && rng.chance(0.9)) {
			const pool = age < 18 && pediatric >= 0 && rng.chance(0.8) ? [pediatric] : adultProviders;
			const p = rng.pick(pool.length > 0 ? pool : [0]);
			patient.primaryProviderId = ctx.providers[p]!.provider.id;
			panels[p]!.push(n);
		}
		patients.push(patient);
	}
	return { patients, panels };
}
