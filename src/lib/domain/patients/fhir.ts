/**
 * FHIR R4 export and import of patients and their insurance: `Patient` and `Coverage` resources in
 * a `collection` or `transaction` Bundle whose entries refer to each other by `urn:uuid:` full URLs.
 *
 * The round trip is exact: `importBundle(exportBundle(ps)).patients` deep-equals `ps`. Fields with a
 * FHIR home go there; the rest travel in extensions under ClinicDesk's own URLs. The `.example` host
 * never resolves; the URLs only have to be stable and unique, and they are listed here and in
 * `FHIR_EXTENSIONS` / `FHIR_SYSTEMS`:
 *
 * Identifier systems
 *   https://clinicdesk.example/fhir/mrn            Patient.identifier, the medical record number
 *                                                  (type v2-0203 `MR`, as US Core asks)
 *   https://clinicdesk.example/fhir/payer-id       Coverage.payor.identifier, the electronic payer id
 *   https://clinicdesk.example/fhir/provider-id    Patient.generalPractitioner.identifier, the
 *                                                  ClinicDesk id of the primary provider
 *   https://clinicdesk.example/fhir/patient-id     Patient.link.other.identifier: the ClinicDesk id
 *                                                  of a patient outside the Bundle (a merge target)
 *
 * Extensions (https://clinicdesk.example/fhir/StructureDefinition/…)
 *   record-created        Patient, valueInstant: createdAt (meta.lastUpdated carries updatedAt)
 *   record-deleted        Patient, valueInstant: deletedAt (and active = false)
 *   phone-can-text        Patient.telecom, valueBoolean: the number takes text messages
 *   alert                 Patient, valueString, repeats: front-desk alerts in order
 *   privacy               Patient, complex: preferredContact (valueCode), noVoicemailDetails,
 *                         restricted, noDirectory (valueBoolean), messagesOnlyAt (valueCode);
 *                         `restricted` is also shown as meta.security v3-Confidentiality `R`
 *   consent               Patient, complex, repeats: type (valueCode), granted (valueBoolean),
 *                         signedOn, expiresOn (valueDate), documentId (valueId)
 *   guardian              Patient.contact, complex: marks the parent or guardian; relationship
 *                         (valueCode, ClinicDesk's own code), authorized (valueBoolean)
 *   insurance-card-front  Coverage, valueId: document id of the scanned card front
 *   insurance-card-back   Coverage, valueId: document id of the scanned card back
 *
 * Standard places used
 *   Patient.identifier MR `usual` (the MRN) and `old` (MRNs of records merged into this one);
 *   Patient.link `replaced-by` (the record this one was merged into);
 *   Patient.name official (family, given = [first, middle], suffix) and usual (the preferred name);
 *   gender; birthDate; telecom (rank 1 = the primary phone); address (use home);
 *   communication (BCP-47 code when known, text always); contact (emergency contacts with v2-0131
 *   `C`; the guardian with v3-RoleCode MTH/FTH/PRN/GUARD/GRPRN); individual-genderIdentity and
 *   individual-pronouns (core extensions, complex with a `value` CodeableConcept).
 *   Coverage: status active, beneficiary, payor (display = payer name), order 1–3, subscriberId and
 *   identifier type `MB` = member id, class plan/group, relationship (subscriber-relationship),
 *   period, and a contained RelatedPerson for a subscriber's name and date of birth.
 *
 * Import takes collection, transaction, batch and searchset Bundles, resolves `urn:uuid:`, relative
 * (`Patient/<id>`), absolute and contained (`#id`) references, and reads Organization (payer) and
 * RelatedPerson (subscriber) entries that Coverages point at. A patient comes in whole or not at
 * all: a problem in it or in one of its Coverages skips the patient and is reported. Problems name
 * paths, never values, so they can be shown and logged without PHI.
 */
import type {
	Address as FhirAddress,
	Bundle,
	BundleEntry,
	CodeableConcept,
	ContactPoint,
	Coverage as FhirCoverage,
	Extension,
	HumanName,
	Identifier,
	Patient as FhirPatient,
	PatientContact,
	Reference,
	RelatedPerson
} from '@medplum/fhirtypes';
import { isoDate, recordId } from '../common/primitives';
import {
	patient as patientSchema,
	patientEntryIssues,
	type Coverage,
	type Guardian,
	type Patient
} from './schemas';
import { mrnKey } from './transfer';

const BASE = 'https://clinicdesk.example/fhir';
const SD = `${BASE}/StructureDefinition`;

export const FHIR_SYSTEMS = {
	mrn: `${BASE}/mrn`,
	payerId: `${BASE}/payer-id`,
	providerId: `${BASE}/provider-id`,
	patientId: `${BASE}/patient-id`
} as const;

export const FHIR_EXTENSIONS = {
	recordCreated: `${SD}/record-created`,
	recordDeleted: `${SD}/record-deleted`,
	phoneCanText: `${SD}/phone-can-text`,
	alert: `${SD}/alert`,
	privacy: `${SD}/privacy`,
	consent: `${SD}/consent`,
	guardian: `${SD}/guardian`,
	cardFront: `${SD}/insurance-card-front`,
	cardBack: `${SD}/insurance-card-back`,
	genderIdentity: 'http://hl7.org/fhir/StructureDefinition/individual-genderIdentity',
	pronouns: 'http://hl7.org/fhir/StructureDefinition/individual-pronouns'
} as const;

/** Read on import only: the US Core (≤ 6.1) form of gender identity. */
const US_CORE_GENDER_IDENTITY = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity';

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const V2_0131 = 'http://terminology.hl7.org/CodeSystem/v2-0131';
const V3_ROLE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const V3_CONFIDENTIALITY = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality';
const SUBSCRIBER_RELATIONSHIP = 'http://terminology.hl7.org/CodeSystem/subscriber-relationship';
const COVERAGE_CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';
const BCP47 = 'urn:ietf:bcp:47';

const ORDERS = ['primary', 'secondary', 'tertiary'] as const;

/** Languages a US front desk meets most, by the name ClinicDesk stores and their BCP-47 code. */
const LANGUAGE_CODES: Record<string, string> = {
	english: 'en',
	spanish: 'es',
	chinese: 'zh',
	mandarin: 'zh',
	cantonese: 'yue',
	vietnamese: 'vi',
	tagalog: 'tl',
	arabic: 'ar',
	korean: 'ko',
	russian: 'ru',
	french: 'fr',
	'haitian creole': 'ht',
	portuguese: 'pt',
	german: 'de',
	polish: 'pl',
	italian: 'it',
	japanese: 'ja',
	hindi: 'hi',
	urdu: 'ur',
	persian: 'fa',
	farsi: 'fa',
	bengali: 'bn',
	gujarati: 'gu',
	punjabi: 'pa',
	somali: 'so',
	amharic: 'am',
	ukrainian: 'uk',
	greek: 'el',
	hebrew: 'he',
	nepali: 'ne',
	swahili: 'sw',
	thai: 'th',
	turkish: 'tr',
	hmong: 'hmn',
	'american sign language': 'ase'
};
const LANGUAGE_NAMES: Record<string, string> = Object.fromEntries(
	Object.entries(LANGUAGE_CODES)
		.filter(([name]) => !['mandarin', 'farsi'].includes(name))
		.map(([name, code]) => [code, name.replace(/\b\w/g, (c) => c.toUpperCase())])
);

const GUARDIAN_ROLE: Record<Guardian['relationship'], { system: string; code: string; display: string }> = {
	mother: { system: V3_ROLE, code: 'MTH', display: 'mother' },
	father: { system: V3_ROLE, code: 'FTH', display: 'father' },
	parent: { system: V3_ROLE, code: 'PRN', display: 'parent' },
	'legal-guardian': { system: V3_ROLE, code: 'GUARD', display: 'guardian' },
	grandparent: { system: V3_ROLE, code: 'GRPRN', display: 'grandparent' },
	other: { system: V2_0131, code: 'O', display: 'Other' }
};

/** v2-0131 contact roles that are organisations or billing, not people to call for the patient. */
const NOT_PERSONAL_CONTACT = new Set(['BP', 'E', 'EP', 'F', 'I', 'S']);

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

export interface PatientToFhirOptions {
	/** Identifier system of the MRN; default `FHIR_SYSTEMS.mrn`. */
	mrnSystem?: string;
	/** Leave `id` out (transaction entries are created by the receiver, who assigns ids). */
	omitId?: boolean;
	/** How to point at another patient (the one a merged record went into); default `Patient/<id>`. */
	patientRef?: (id: string) => Reference<FhirPatient>;
}

export interface ExportOptions {
	type: 'collection' | 'transaction';
	/** How entries are addressed; only `urn:uuid` (the record's id) is supported. */
	fullUrl?: 'urn:uuid';
	/** Bundle.timestamp, an instant; left out when not given. */
	timestamp?: string;
	mrnSystem?: string;
}

/** A FHIR R4 Patient for a ClinicDesk patient (without its Coverages: see `coverageToFhir`). */
export function patientToFhir(p: Patient, opts: PatientToFhirOptions = {}): FhirPatient {
	const out: FhirPatient = { resourceType: 'Patient' };
	if (!opts.omitId) out.id = p.id;
	out.meta = { lastUpdated: fhirInstant(p.updatedAt) };
	if (p.privacy.restricted)
		out.meta.security = [{ system: V3_CONFIDENTIALITY, code: 'R', display: 'restricted' }];

	const extension: Extension[] = [
		{ url: FHIR_EXTENSIONS.recordCreated, valueInstant: fhirInstant(p.createdAt) }
	];
	if (p.deletedAt)
		extension.push({ url: FHIR_EXTENSIONS.recordDeleted, valueInstant: fhirInstant(p.deletedAt) });
	if (p.genderIdentity) extension.push(complexWithValue(FHIR_EXTENSIONS.genderIdentity, p.genderIdentity));
	if (p.pronouns) extension.push(complexWithValue(FHIR_EXTENSIONS.pronouns, p.pronouns));
	for (const a of p.alerts) if (a) extension.push({ url: FHIR_EXTENSIONS.alert, valueString: a });
	extension.push(privacyExtension(p.privacy));
	for (const c of p.consents) extension.push(consentExtension(c));
	out.extension = extension;

	// The MRN in use, then the numbers of records merged into this one (no longer handed out).
	const mrn = (value: string, use: 'usual' | 'old'): Identifier => ({
		use,
		type: { coding: [{ system: V2_0203, code: 'MR', display: 'Medical record number' }] },
		system: opts.mrnSystem ?? FHIR_SYSTEMS.mrn,
		value
	});
	out.identifier = [mrn(p.mrn, 'usual'), ...p.otherMrns.map((m) => mrn(m, 'old'))];
	out.active = !p.deletedAt;

	const official: HumanName = { use: 'official', family: p.familyName };
	official.given = [p.givenName, ...(p.middleName ? [p.middleName] : [])];
	if (p.suffix) official.suffix = [p.suffix];
	out.name = [official];
	if (p.preferredName) out.name.push({ use: 'usual', given: [p.preferredName] });

	const telecom: ContactPoint[] = p.phones.map((ph) => {
		const cp: ContactPoint = { system: 'phone', value: ph.number };
		if (ph.type !== 'other') cp.use = ph.type;
		if (ph.primary) cp.rank = 1;
		if (ph.canText) cp.extension = [{ url: FHIR_EXTENSIONS.phoneCanText, valueBoolean: true }];
		return cp;
	});
	if (p.email) telecom.push({ system: 'email', value: p.email });
	if (telecom.length) out.telecom = telecom;

	out.gender = p.sex;
	out.birthDate = p.dateOfBirth;

	if (p.address) {
		const a = p.address;
		const address: FhirAddress = { use: 'home' };
		const lines = [a.line1, a.line2 ?? ''].filter(Boolean);
		if (lines.length) address.line = lines;
		if (a.city) address.city = a.city;
		if (a.state) address.state = a.state;
		if (a.postalCode) address.postalCode = a.postalCode;
		address.country = a.country;
		out.address = [address];
	}

	const contacts: PatientContact[] = p.emergencyContacts.map((c) => {
		const contact: PatientContact = {
			relationship: [{ coding: [{ system: V2_0131, code: 'C', display: 'Emergency Contact' }] }],
			name: { text: c.name }
		};
		if (c.relationship) contact.relationship!.push({ text: c.relationship });
		if (c.phone) contact.telecom = [{ system: 'phone', value: c.phone }];
		return contact;
	});
	if (p.guardian) contacts.push(guardianContact(p.guardian));
	if (contacts.length) out.contact = contacts;

	if (p.preferredLanguage) {
		const code = LANGUAGE_CODES[p.preferredLanguage.toLowerCase()];
		const language: CodeableConcept = { text: p.preferredLanguage };
		if (code) language.coding = [{ system: BCP47, code, display: LANGUAGE_NAMES[code] }];
		out.communication = [{ language, preferred: true }];
	}

	if (p.primaryProviderId)
		out.generalPractitioner = [
			{ type: 'Practitioner', identifier: { system: FHIR_SYSTEMS.providerId, value: p.primaryProviderId } }
		];
	// A record merged into another points at the one to use instead.
	if (p.mergedInto)
		out.link = [
			{
				other: opts.patientRef?.(p.mergedInto) ?? { reference: `Patient/${p.mergedInto}` },
				type: 'replaced-by'
			}
		];
	return out;
}

/**
 * A FHIR R4 Coverage for one of a patient's plans. `patientRef` is how the beneficiary is named:
 * `urn:uuid:<id>` inside a Bundle, `Patient/<id>` on its own.
 */
export function coverageToFhir(
	c: Coverage,
	patientRef: string,
	opts: { omitId?: boolean } = {}
): FhirCoverage {
	const beneficiary: Reference<FhirPatient> = { reference: patientRef };
	const payor: FhirCoverage['payor'][number] = { display: c.payerName };
	if (c.payerId) payor.identifier = { system: FHIR_SYSTEMS.payerId, value: c.payerId };
	const out: FhirCoverage = { resourceType: 'Coverage', status: 'active', beneficiary, payor: [payor] };
	if (!opts.omitId) out.id = c.id;

	const extension: Extension[] = [];
	if (c.cardFrontDocumentId)
		extension.push({ url: FHIR_EXTENSIONS.cardFront, valueId: c.cardFrontDocumentId });
	if (c.cardBackDocumentId) extension.push({ url: FHIR_EXTENSIONS.cardBack, valueId: c.cardBackDocumentId });
	if (extension.length) out.extension = extension;

	out.identifier = [
		{ type: { coding: [{ system: V2_0203, code: 'MB', display: 'Member Number' }] }, value: c.memberId }
	];
	out.subscriberId = c.memberId;
	out.relationship = {
		coding: [
			{
				system: SUBSCRIBER_RELATIONSHIP,
				code: c.subscriberRelationship,
				display: title(c.subscriberRelationship)
			}
		]
	};

	if (c.subscriberName || c.subscriberDateOfBirth) {
		const holder: RelatedPerson = {
			resourceType: 'RelatedPerson',
			id: 'subscriber',
			patient: { reference: patientRef }
		};
		if (c.subscriberName) holder.name = [{ text: c.subscriberName }];
		if (c.subscriberDateOfBirth) holder.birthDate = c.subscriberDateOfBirth;
		out.contained = [holder];
		out.subscriber = { reference: '#subscriber' };
	} else if (c.subscriberRelationship === 'self') {
		out.subscriber = { reference: patientRef };
	}

	if (c.effectiveFrom || c.effectiveTo) {
		out.period = {};
		if (c.effectiveFrom) out.period.start = c.effectiveFrom;
		if (c.effectiveTo) out.period.end = c.effectiveTo;
	}

	const classes: NonNullable<FhirCoverage['class']> = [];
	if (c.groupNumber) classes.push({ type: coverageClass('group'), value: c.groupNumber });
	if (c.planName) classes.push({ type: coverageClass('plan'), value: c.planName, name: c.planName });
	if (classes.length) out.class = classes;

	out.order = ORDERS.indexOf(c.order) + 1;
	return out;
}

/**
 * One Bundle with every patient followed by its Coverages (in the patient's order), each entry
 * addressed `urn:uuid:<record id>`. A transaction creates them (`POST`, patients only when no patient
 * with the same MRN exists); a collection is a plain file.
 */
export function exportBundle(patients: readonly Patient[], opts: ExportOptions): Bundle {
	const transaction = opts.type === 'transaction';
	const entry: BundleEntry[] = [];
	const mrnSystem = opts.mrnSystem ?? FHIR_SYSTEMS.mrn;
	// A patient in the Bundle by its entry; one outside it by its ClinicDesk id (never a dangling URL).
	const inBundle = new Set(patients.map((p) => p.id));
	const patientRef = (id: string): Reference<FhirPatient> =>
		inBundle.has(id)
			? { reference: `urn:uuid:${id}` }
			: { type: 'Patient', identifier: { system: FHIR_SYSTEMS.patientId, value: id } };
	for (const p of patients) {
		const patientUrl = `urn:uuid:${p.id}`;
		const pe: BundleEntry = {
			fullUrl: patientUrl,
			resource: patientToFhir(p, { mrnSystem, omitId: transaction, patientRef })
		};
		if (transaction)
			pe.request = {
				method: 'POST',
				url: 'Patient',
				ifNoneExist: `identifier=${encodeURIComponent(`${mrnSystem}|${searchEscape(p.mrn)}`)}`
			};
		entry.push(pe);
		for (const c of p.coverages) {
			const ce: BundleEntry = {
				fullUrl: `urn:uuid:${c.id}`,
				resource: coverageToFhir(c, patientUrl, { omitId: transaction })
			};
			if (transaction) ce.request = { method: 'POST', url: 'Coverage' };
			entry.push(ce);
		}
	}
	const bundle: Bundle = { resourceType: 'Bundle', type: opts.type };
	if (opts.timestamp) bundle.timestamp = fhirInstant(opts.timestamp);
	if (entry.length) bundle.entry = entry;
	return bundle;
}

function complexWithValue(url: string, text: string): Extension {
	return { url, extension: [{ url: 'value', valueCodeableConcept: { text } }] };
}

function privacyExtension(pr: Patient['privacy']): Extension {
	const sub: Extension[] = [
		{ url: 'preferredContact', valueCode: pr.preferredContact },
		{ url: 'noVoicemailDetails', valueBoolean: pr.noVoicemailDetails },
		{ url: 'restricted', valueBoolean: pr.restricted },
		{ url: 'noDirectory', valueBoolean: pr.noDirectory }
	];
	if (pr.messagesOnlyAt) sub.push({ url: 'messagesOnlyAt', valueCode: pr.messagesOnlyAt });
	return { url: FHIR_EXTENSIONS.privacy, extension: sub };
}

function consentExtension(c: Patient['consents'][number]): Extension {
	const sub: Extension[] = [
		{ url: 'type', valueCode: c.type },
		{ url: 'granted', valueBoolean: c.granted },
		{ url: 'signedOn', valueDate: c.signedOn }
	];
	if (c.expiresOn) sub.push({ url: 'expiresOn', valueDate: c.expiresOn });
	if (c.documentId) sub.push({ url: 'documentId', valueId: c.documentId });
	return { url: FHIR_EXTENSIONS.consent, extension: sub };
}

function guardianContact(g: Guardian): PatientContact {
	const marker: Extension = {
		url: FHIR_EXTENSIONS.guardian,
		extension: [
			{ url: 'relationship', valueCode: g.relationship },
			{ url: 'authorized', valueBoolean: g.authorized }
		]
	};
	const contact: PatientContact = {
		extension: [marker],
		relationship: [{ coding: [GUARDIAN_ROLE[g.relationship]] }],
		name: { text: g.name }
	};
	const telecom: ContactPoint[] = [];
	if (g.phone) telecom.push({ system: 'phone', value: g.phone });
	if (g.email) telecom.push({ system: 'email', value: g.email });
	if (telecom.length) contact.telecom = telecom;
	return contact;
}

function coverageClass(code: 'group' | 'plan'): CodeableConcept {
	return { coding: [{ system: COVERAGE_CLASS, code, display: title(code) }] };
}

function title(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Search-parameter escaping for a token value (`\`, `|`, `,`, `$`). */
function searchEscape(v: string): string {
	return v.replace(/[\\|,$]/g, (c) => `\\${c}`);
}

const FHIR_INSTANT =
	/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;

/** The stored instant as it is when FHIR accepts it (so the round trip is exact), else in UTC. */
function fhirInstant(at: string): string {
	return FHIR_INSTANT.test(at) ? at : new Date(at).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

export interface ImportProblem {
	/** Index into Bundle.entry (from 0); -1 for the Bundle itself. */
	entry: number;
	/** Where, as a FHIRPath-like path: `Bundle.entry[3].resource.birthDate`. Never a value. */
	path: string;
	message: string;
}

export interface ImportOptions {
	/** Identifier system of the MRN; default `FHIR_SYSTEMS.mrn` (any identifier typed `MR` also counts). */
	mrnSystem?: string;
	/** The clinic's local date: birth dates after it are refused, as on entry. */
	today?: string;
	/** MRNs already in the clinic: a patient bringing one of them is refused. */
	existingMrns?: Iterable<string>;
	/** Gives a patient without an MRN a new one; without it such a patient is refused. */
	nextMrn?: () => string;
	/** New record ids where the incoming id is not a UUID; default `crypto.randomUUID`. */
	newId?: () => string;
	/** createdAt/updatedAt for records whose Bundle says nothing; default now. */
	now?: string;
}

export interface ImportResult {
	/** The patients that can be written, whole and valid, in Bundle order. */
	patients: Patient[];
	/** Why a patient (or an entry) was not imported. */
	problems: ImportProblem[];
	/** What was imported only in part (data ClinicDesk does not keep, or an entry that was skipped). */
	warnings: ImportProblem[];
}

const ACCEPTED_BUNDLE_TYPES = new Set(['collection', 'transaction', 'batch', 'searchset']);

type Json = Record<string, unknown>;

interface Entry {
	index: number;
	fullUrl?: string;
	resource: Json;
	type: string;
}

interface PatientSlot {
	entry: Entry;
	/** The record id it will have (its own if a UUID, else a new one), known before any is read. */
	id: string;
	coverages: { entry: Entry; coverage: Json }[];
}

/**
 * Patients from a FHIR Bundle (an object or its JSON text). Never throws: whatever cannot be read is
 * reported in `problems` by path, and the patients it concerns are left out whole.
 */
export function importBundle(input: unknown, opts: ImportOptions = {}): ImportResult {
	const problems: ImportProblem[] = [];
	const warnings: ImportProblem[] = [];
	try {
		return readBundle(input, opts, problems, warnings);
	} catch {
		// A bug here must not leak a value through an exception message, nor import half a file.
		problems.push({ entry: -1, path: 'Bundle', message: 'The file could not be read' });
		return { patients: [], problems, warnings };
	}
}

function readBundle(
	input: unknown,
	opts: ImportOptions,
	problems: ImportProblem[],
	warnings: ImportProblem[]
): ImportResult {
	const fail = (message: string): ImportResult => {
		problems.push({ entry: -1, path: 'Bundle', message });
		return { patients: [], problems, warnings };
	};
	let data = input;
	if (typeof input === 'string') {
		try {
			data = JSON.parse(input.replace(/^\uFEFF/, ''));
		} catch {
			return fail('The file is not JSON');
		}
	}
	const bundle = obj(data);
	if (!bundle) return fail('The file is not a FHIR Bundle (expected a JSON object)');
	if (bundle.resourceType !== 'Bundle') {
		const rt = resourceTypeName(bundle.resourceType);
		return fail(
			rt
				? `Expected a FHIR Bundle, found a ${rt} resource`
				: 'The file is not a FHIR resource (no resourceType)'
		);
	}
	const type = str(bundle.type);
	if (!type || !ACCEPTED_BUNDLE_TYPES.has(type))
		return fail('Only collection, transaction, batch and searchset Bundles can be imported');
	if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) return fail('Bundle.entry is not a list');
	const rawEntries = arr(bundle.entry);
	if (rawEntries.length === 0) return fail('The Bundle has no entries');

	const at = (i: number, rest = '') => `Bundle.entry[${i}]${rest}`;
	const note = (list: ImportProblem[], i: number, rest: string, message: string) =>
		list.push({ entry: i, path: at(i, rest), message });
	const entries: Entry[] = [];
	const byUrl = new Map<string, Entry>();
	const byRelative = new Map<string, Entry>();
	const seenUrls = new Set<string>();

	rawEntries.forEach((raw, index) => {
		const e = obj(raw);
		const resource = obj(e?.resource);
		if (!e || !resource) {
			note(problems, index, '.resource', 'Entry has no resource');
			return;
		}
		const method = str(obj(e.request)?.method);
		if (method && method !== 'POST' && method !== 'PUT') {
			note(problems, index, '.request.method', 'Only POST and PUT entries are imported');
			return;
		}
		const rt = resourceTypeName(resource.resourceType);
		if (!rt) {
			note(problems, index, '.resource.resourceType', 'Missing or invalid resourceType');
			return;
		}
		if (str(obj(e.search)?.mode) === 'outcome') return; // a server's note about the search itself
		const fullUrl = str(e.fullUrl);
		if (fullUrl) {
			if (seenUrls.has(fullUrl)) {
				note(problems, index, '.fullUrl', 'Two entries have the same fullUrl');
				return;
			}
			seenUrls.add(fullUrl);
		}
		const entry: Entry = { index, fullUrl, resource, type: rt };
		if (fullUrl) byUrl.set(fullUrl, entry);
		const id = str(resource.id);
		if (id) byRelative.set(`${rt}/${id}`, entry);
		// A relative reference also resolves against an absolute fullUrl (`…/fhir/Patient/123`).
		const tail = fullUrl && /\/([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(fullUrl);
		if (tail && tail[1]!.startsWith(`${rt}/`) && !byRelative.has(tail[1]!)) byRelative.set(tail[1]!, entry);
		entries.push(entry);
	});

	const resolve = (ref: unknown, from?: Json): { entry?: Entry; contained?: Json } | undefined => {
		const r = str(obj(ref)?.reference);
		if (!r) return undefined;
		if (r.startsWith('#')) {
			const c = arr(from?.contained)
				.map(obj)
				.find((x) => x && str(x.id) === r.slice(1));
			return c ? { contained: c } : undefined;
		}
		const direct = byUrl.get(r) ?? byRelative.get(r);
		if (direct) return { entry: direct };
		// An absolute URL whose last two segments name a resource in the Bundle.
		const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(r);
		return m ? (byRelative.get(m[1]!) ? { entry: byRelative.get(m[1]!)! } : undefined) : undefined;
	};

	const newId = opts.newId ?? (() => crypto.randomUUID());
	const slots = new Map<Entry, PatientSlot>();
	for (const entry of entries) {
		if (entry.type === 'Patient')
			slots.set(entry, { entry, id: pickId(str(entry.resource.id), entry.fullUrl, newId), coverages: [] });
		else if (entry.type !== 'Coverage' && entry.type !== 'Organization' && entry.type !== 'RelatedPerson')
			note(
				problems,
				entry.index,
				'.resource.resourceType',
				`${entry.type} resources are not imported (only Patient and Coverage)`
			);
	}

	for (const entry of entries) {
		if (entry.type !== 'Coverage') continue;
		const c = entry.resource;
		const status = str(c.status);
		if (status === 'entered-in-error' || status === 'cancelled') {
			note(warnings, entry.index, '.resource.status', `A ${status} Coverage was skipped`);
			continue;
		}
		const target = resolve(c.beneficiary, c)?.entry;
		const slot = target && slots.get(target);
		if (!slot) {
			note(problems, entry.index, '.resource.beneficiary', 'The beneficiary is not a Patient in this Bundle');
			continue;
		}
		slot.coverages.push({ entry, coverage: c });
	}

	const now = opts.now ?? new Date().toISOString();
	const mrnSystem = opts.mrnSystem ?? FHIR_SYSTEMS.mrn;
	const existing = new Set([...(opts.existingMrns ?? [])].map(mrnKey));

	const built: { slot: PatientSlot; patient: Patient }[] = [];
	for (const slot of slots.values()) {
		const ctx: ReadContext = { problems: [], warnings, resolve, newId, slots };
		let candidate: unknown;
		try {
			candidate = readPatient(slot, ctx, { mrnSystem, nextMrn: opts.nextMrn, now });
		} catch {
			note(ctx.problems, slot.entry.index, '.resource', 'The Patient could not be read');
		}
		if (ctx.problems.length === 0) {
			const parsed = patientSchema.safeParse(candidate);
			if (!parsed.success) {
				for (const issue of parsed.error.issues)
					ctx.problems.push(schemaProblem(slot, issue.path, issue.message));
			} else {
				if (opts.today)
					for (const issue of patientEntryIssues(parsed.data, opts.today))
						ctx.problems.push(schemaProblem(slot, issue.path, issue.message));
				if (existing.has(mrnKey(parsed.data.mrn)))
					note(
						ctx.problems,
						slot.entry.index,
						'.resource.identifier',
						'The MRN is already used by a patient in this clinic'
					);
				if (ctx.problems.length === 0) built.push({ slot, patient: parsed.data });
			}
		}
		problems.push(...ctx.problems);
	}

	// Within the file: two patients with one MRN or one id cannot both be right, so neither comes in.
	const byMrn = new Map<string, number>();
	const byId = new Map<string, number>();
	for (const { patient } of built) {
		byMrn.set(mrnKey(patient.mrn), (byMrn.get(mrnKey(patient.mrn)) ?? 0) + 1);
		byId.set(patient.id, (byId.get(patient.id) ?? 0) + 1);
	}
	const patients: Patient[] = [];
	for (const { slot, patient } of built) {
		const i = slot.entry.index;
		if (byMrn.get(mrnKey(patient.mrn))! > 1)
			note(problems, i, '.resource.identifier', 'Another Patient in this Bundle has the same MRN');
		else if (byId.get(patient.id)! > 1)
			note(problems, i, '.resource.id', 'Another Patient in this Bundle has the same id');
		else patients.push(patient);
	}
	problems.sort((a, b) => a.entry - b.entry);
	warnings.sort((a, b) => a.entry - b.entry);
	return { patients, problems, warnings };
}

interface ReadContext {
	problems: ImportProblem[];
	warnings: ImportProblem[];
	resolve: (ref: unknown, from?: Json) => { entry?: Entry; contained?: Json } | undefined;
	newId: () => string;
	slots: ReadonlyMap<Entry, PatientSlot>;
}

function readPatient(
	slot: PatientSlot,
	ctx: ReadContext,
	o: { mrnSystem: string; nextMrn: (() => string) | undefined; now: string }
): unknown {
	const r = slot.entry.resource;
	const i = slot.entry.index;
	const path = (rest: string) => `Bundle.entry[${i}].resource${rest}`;
	const problem = (rest: string, message: string) =>
		ctx.problems.push({ entry: i, path: path(rest), message });
	const warn = (rest: string, message: string) => ctx.warnings.push({ entry: i, path: path(rest), message });

	if (arr(r.modifierExtension).length)
		problem('.modifierExtension', 'A modifier extension ClinicDesk does not understand');

	const id = slot.id;
	const exts = arr(r.extension)
		.map(obj)
		.filter((x): x is Json => !!x);
	const extsOf = (url: string) => exts.filter((x) => x.url === url);
	const meta = obj(r.meta);
	const created = str(extsOf(FHIR_EXTENSIONS.recordCreated)[0]?.valueInstant);
	const updated = str(meta?.lastUpdated);
	const deleted = str(extsOf(FHIR_EXTENSIONS.recordDeleted)[0]?.valueInstant);

	// MRN: ClinicDesk's system first, then any identifier typed MR; `old` ones are merged records' numbers.
	const identifiers = arr(r.identifier)
		.map(obj)
		.filter((x): x is Json => !!x && !!str(x.value));
	const ours = identifiers.filter((x) => x.system === o.mrnSystem);
	const typed = identifiers.filter((x) => hasCoding(x.type, V2_0203, 'MR'));
	const mrnIdent = [...ours, ...typed].find((x) => x.use !== 'old');
	let mrn = str(mrnIdent?.value);
	const otherMrns = [
		...new Set((ours.length ? ours : typed).filter((x) => x.use === 'old').map((x) => str(x.value)!))
	];
	if (!mrn) {
		if (o.nextMrn) mrn = o.nextMrn();
		else problem('.identifier', 'No medical record number (an identifier of type MR)');
	}

	// Names: the official one (or the first ordinary one), and a usual/nickname given name as preferred.
	const names = arr(r.name)
		.map(obj)
		.filter((x): x is Json => !!x);
	const official =
		names.find((n) => n.use === 'official') ??
		names.find(
			(n) => !['nickname', 'old', 'maiden', 'anonymous', 'usual'].includes(str(n.use) ?? '') && str(n.family)
		) ??
		names.find((n) => str(n.family)) ??
		names[0];
	const nameAt = official ? `.name[${names.indexOf(official)}]` : '.name';
	const family = str(official?.family);
	const given = strings(official?.given);
	if (!family) problem(`${nameAt}.family`, 'Family name is missing');
	if (!given[0]) problem(`${nameAt}.given`, 'Given name is missing');
	const nick =
		names.find((n) => n !== official && n.use === 'usual' && strings(n.given)[0]) ??
		names.find((n) => n !== official && n.use === 'nickname' && strings(n.given)[0]);

	const birthDate = str(r.birthDate);
	if (!birthDate) problem('.birthDate', 'Date of birth is missing');
	else if (!isoDate.safeParse(birthDate).success)
		problem('.birthDate', 'Date of birth must be a full date (YYYY-MM-DD)');

	const gender = r.gender === undefined ? 'unknown' : str(r.gender);
	if (!gender || !['female', 'male', 'other', 'unknown'].includes(gender))
		problem('.gender', 'Not a FHIR administrative gender');

	// Telecom: phones in order (sms only marks a number as textable), the first e-mail.
	const phones: Patient['phones'] = [];
	let email: string | undefined;
	const telecom = arr(r.telecom).map(obj);
	telecom.forEach((t, k) => {
		const value = str(t?.value);
		if (!t || !value || t.use === 'old') return;
		if (t.system === 'phone') {
			const use = str(t.use);
			phones.push({
				type: use === 'mobile' || use === 'home' || use === 'work' ? use : 'other',
				number: value,
				canText: extsIn(t, FHIR_EXTENSIONS.phoneCanText).some((x) => x.valueBoolean === true),
				primary: t.rank === 1
			});
		} else if (t.system === 'email') {
			if (email === undefined) email = value;
			else warn(`.telecom[${k}]`, 'Only one e-mail address is kept');
		} else if (t.system !== 'sms') warn(`.telecom[${k}]`, 'Fax, pager and other contact points are not kept');
	});
	telecom.forEach((t) => {
		const value = str(t?.value);
		if (!t || !value || t.system !== 'sms' || t.use === 'old') return;
		const same = phones.find((ph) => digits(ph.number) === digits(value));
		if (same) same.canText = true;
		else phones.push({ type: 'mobile', number: value, canText: true, primary: false });
	});
	if (phones.length > 6) {
		warn('.telecom', 'Only the first 6 phone numbers are kept');
		phones.length = 6;
	}

	// Address: the first one still in use.
	const addresses = arr(r.address).map(obj);
	const addr =
		addresses.find((a) => a && a.use !== 'old' && str(obj(a.period)?.end) === undefined) ??
		addresses.find((a) => a && a.use !== 'old');
	let address: Json | undefined;
	if (addr) {
		const lines = strings(addr.line);
		address = {
			line1: lines[0] ?? '',
			city: str(addr.city) ?? '',
			state: str(addr.state) ?? '',
			postalCode: str(addr.postalCode) ?? '',
			country: countryCode(str(addr.country))
		};
		if (lines.length > 1) address.line2 = lines.slice(1).join(', ');
	}

	// Preferred language: the preferred communication, else the first.
	const comms = arr(r.communication).map(obj);
	const comm = comms.find((c) => c?.preferred === true) ?? comms[0];
	const language = comm
		? conceptText(comm.language, (code) => LANGUAGE_NAMES[code.toLowerCase()])
		: undefined;

	// Contacts: the marked guardian (else a legal guardian by role code), the rest emergency contacts.
	const contacts = arr(r.contact).map(obj);
	let guardianAt = contacts.findIndex((c) => c && extsIn(c, FHIR_EXTENSIONS.guardian).length > 0);
	if (guardianAt < 0)
		guardianAt = contacts.findIndex(
			(c) => c && arr(c.relationship).some((rel) => hasCoding(rel, V3_ROLE, 'GUARD'))
		);
	let guardian: Json | undefined;
	const emergencyContacts: Json[] = [];
	contacts.forEach((c, k) => {
		if (!c) return;
		const name = personName(c.name);
		const cPhones = arr(c.telecom)
			.map(obj)
			.filter((t) => t?.system === 'phone' || t?.system === 'sms');
		const phone = str(cPhones[0]?.value);
		if (k === guardianAt) {
			if (!name) {
				problem(`.contact[${k}].name`, "The guardian's name is missing");
				return;
			}
			const marker = extsIn(c, FHIR_EXTENSIONS.guardian)[0];
			const relationship =
				str(sub(marker, 'relationship')?.valueCode) ??
				guardianRelationship(arr(c.relationship)) ??
				'legal-guardian';
			const authorized = sub(marker, 'authorized')?.valueBoolean;
			guardian = { name, relationship, authorized: typeof authorized === 'boolean' ? authorized : true };
			if (phone) guardian.phone = phone;
			const gEmail = str(
				arr(c.telecom)
					.map(obj)
					.find((t) => t?.system === 'email')?.value
			);
			if (gEmail) guardian.email = gEmail;
			return;
		}
		const roles = arr(c.relationship).flatMap((rel) => arr(obj(rel)?.coding).map(obj));
		if (roles.some((x) => x?.system === V2_0131 && NOT_PERSONAL_CONTACT.has(str(x.code) ?? ''))) {
			warn(`.contact[${k}]`, 'An employer, insurer or agency contact is not kept');
			return;
		}
		if (!name) {
			warn(`.contact[${k}].name`, 'A contact without a name is not kept');
			return;
		}
		if (emergencyContacts.length === 4) {
			warn(`.contact[${k}]`, 'Only the first 4 emergency contacts are kept');
			return;
		}
		emergencyContacts.push({
			name,
			relationship: contactRelationship(arr(c.relationship)),
			phone: phone ?? ''
		});
	});

	// ClinicDesk extensions.
	const alerts = extsOf(FHIR_EXTENSIONS.alert)
		.map((x) => str(x.valueString))
		.filter((x): x is string => !!x);
	const privacyExt = extsOf(FHIR_EXTENSIONS.privacy)[0];
	const privacy: Json = {};
	if (privacyExt) {
		for (const key of ['preferredContact', 'messagesOnlyAt']) {
			const v = str(sub(privacyExt, key)?.valueCode);
			if (v) privacy[key] = v;
		}
		for (const key of ['noVoicemailDetails', 'restricted', 'noDirectory']) {
			const v = sub(privacyExt, key)?.valueBoolean;
			if (typeof v === 'boolean') privacy[key] = v;
		}
	} else if (
		arr(meta?.security).some(
			(s) => ['R', 'V'].includes(str(obj(s)?.code) ?? '') && obj(s)?.system === V3_CONFIDENTIALITY
		)
	) {
		privacy.restricted = true;
	}
	const consents = extsOf(FHIR_EXTENSIONS.consent).map((x) => {
		const c: Json = { type: str(sub(x, 'type')?.valueCode), signedOn: str(sub(x, 'signedOn')?.valueDate) };
		const granted = sub(x, 'granted')?.valueBoolean;
		if (typeof granted === 'boolean') c.granted = granted;
		const expiresOn = str(sub(x, 'expiresOn')?.valueDate);
		if (expiresOn) c.expiresOn = expiresOn;
		const documentId = str(sub(x, 'documentId')?.valueId);
		if (documentId) c.documentId = documentId;
		return c;
	});
	const genderIdentity =
		complexValueText(extsOf(FHIR_EXTENSIONS.genderIdentity)[0]) ??
		conceptText(extsOf(US_CORE_GENDER_IDENTITY)[0]?.valueCodeableConcept);
	const pronouns = complexValueText(extsOf(FHIR_EXTENSIONS.pronouns)[0]);

	const gps = arr(r.generalPractitioner).map(obj);
	const providerRef = gps.find((g) => obj(g?.identifier)?.system === FHIR_SYSTEMS.providerId);
	const primaryProviderId = str(obj(providerRef?.identifier)?.value);
	if (gps.length && !primaryProviderId)
		warn('.generalPractitioner', 'A primary provider from another system is not kept');

	// A merged-away record names the one that replaced it: in this Bundle, by id, or by ClinicDesk id.
	let mergedInto: string | undefined;
	arr(r.link).forEach((l, k) => {
		const link = obj(l);
		if (link?.type !== 'replaced-by' || mergedInto) return;
		const target = ctx.resolve(link.other)?.entry;
		const targetSlot = target && ctx.slots.get(target);
		const ref = str(obj(link.other)?.reference);
		const ident = obj(obj(link.other)?.identifier);
		const relative = ref && /^Patient\/(.+)$/.exec(ref)?.[1];
		if (targetSlot) mergedInto = targetSlot.id;
		else if (relative && recordId.safeParse(relative).success) mergedInto = relative;
		else if (ident?.system === FHIR_SYSTEMS.patientId && str(ident.value)) mergedInto = str(ident.value);
		else warn(`.link[${k}]`, 'A link to a patient outside this file is not kept');
	});

	const coverages = readCoverages(slot, ctx);

	const out: Json = {
		id,
		createdAt: created ?? updated ?? o.now,
		updatedAt: updated ?? created ?? o.now,
		mrn,
		familyName: family,
		givenName: given[0],
		dateOfBirth: birthDate,
		sex: gender,
		phones,
		emergencyContacts,
		consents,
		alerts,
		privacy,
		coverages,
		otherMrns
	};
	const optional: Json = {
		deletedAt: deleted,
		middleName: given.slice(1).join(' ') || undefined,
		suffix: strings(official?.suffix).join(' ') || undefined,
		preferredName: nick ? strings(nick.given)[0] : undefined,
		genderIdentity,
		pronouns,
		email,
		address,
		preferredLanguage: language,
		guardian,
		primaryProviderId,
		mergedInto
	};
	for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
	return out;
}

function readCoverages(slot: PatientSlot, ctx: ReadContext): Json[] {
	const out: { json: Json; order?: number; entry: Entry }[] = [];
	for (const { entry, coverage: c } of slot.coverages) {
		const i = entry.index;
		const problem = (rest: string, message: string) =>
			ctx.problems.push({ entry: i, path: `Bundle.entry[${i}].resource${rest}`, message });
		const before = ctx.problems.length;
		if (arr(c.modifierExtension).length)
			problem('.modifierExtension', 'A modifier extension ClinicDesk does not understand');

		const payor = obj(arr(c.payor)[0]);
		const payerEntry = ctx.resolve(payor, c);
		const payerResource = payerEntry?.entry?.resource ?? payerEntry?.contained;
		const payerName = str(payor?.display) ?? str(payerResource?.name);
		const payerIdent =
			obj(payor?.identifier)?.system === FHIR_SYSTEMS.payerId
				? obj(payor?.identifier)
				: arr(payerResource?.identifier)
						.map(obj)
						.find((x) => x?.system === FHIR_SYSTEMS.payerId);
		if (!payerName) problem('.payor', 'The payer has no name');

		const identifiers = arr(c.identifier).map(obj);
		const memberId =
			str(c.subscriberId) ?? str(identifiers.find((x) => x && hasCoding(x.type, V2_0203, 'MB'))?.value);
		if (!memberId) problem('.subscriberId', 'The member id is missing');

		const classes = arr(c.class).map(obj);
		const classOf = (code: string) => classes.find((x) => x && hasCoding(x.type, COVERAGE_CLASS, code));
		const plan = classOf('plan');
		const group = classOf('group');

		const relCode = arr(obj(c.relationship)?.coding)
			.map(obj)
			.find((x) => x?.system === SUBSCRIBER_RELATIONSHIP);
		const relationship = subscriberRelationship(str(relCode?.code));

		let subscriberName: string | undefined;
		let subscriberDateOfBirth: string | undefined;
		// The holder: a contained or listed RelatedPerson, another Patient (a parent who is also a
		// patient), or only a display name. The beneficiary as their own subscriber needs neither.
		const subscriber = ctx.resolve(c.subscriber, c);
		const holder = subscriber?.contained ?? subscriber?.entry?.resource;
		const display = str(obj(c.subscriber)?.display);
		if (subscriber?.entry !== slot.entry) {
			if (holder && (holder.resourceType === 'RelatedPerson' || holder.resourceType === 'Patient')) {
				const names = arr(holder.name).map(obj);
				subscriberName = personName(names.find((n) => n?.use === 'official') ?? names[0]) ?? display;
				subscriberDateOfBirth = str(holder.birthDate);
			} else subscriberName = display;
		}

		const period = obj(c.period);
		const dateOf = (v: unknown, rest: string) => {
			const s = str(v);
			if (s === undefined) return undefined;
			if (!isoDate.safeParse(s.slice(0, 10)).success) {
				problem(rest, 'Not a full date');
				return undefined;
			}
			return s.slice(0, 10);
		};
		const effectiveFrom = dateOf(period?.start, '.period.start');
		const effectiveTo = dateOf(period?.end, '.period.end');

		let order: number | undefined;
		if (c.order !== undefined) {
			if (typeof c.order === 'number' && c.order >= 1 && c.order <= 3 && Number.isInteger(c.order))
				order = c.order;
			else problem('.order', 'Only primary, secondary and tertiary coverages (order 1–3) are kept');
		}
		if (ctx.problems.length > before) continue;

		const json: Json = {
			id: pickId(str(c.id), entry.fullUrl, ctx.newId),
			payerName,
			memberId,
			subscriberRelationship: relationship
		};
		const optional: Json = {
			payerId: str(payerIdent?.value),
			planName: str(plan?.name) ?? str(plan?.value),
			groupNumber: str(group?.value),
			subscriberName,
			subscriberDateOfBirth,
			effectiveFrom,
			effectiveTo,
			cardFrontDocumentId: str(extsIn(c, FHIR_EXTENSIONS.cardFront)[0]?.valueId),
			cardBackDocumentId: str(extsIn(c, FHIR_EXTENSIONS.cardBack)[0]?.valueId)
		};
		for (const [k, v] of Object.entries(optional)) if (v !== undefined) json[k] = v;
		out.push({ json, order, entry });
	}
	// A Coverage without an order takes the first rank its patient's others leave free.
	const used = new Set(out.map((x) => x.order).filter((x) => x !== undefined));
	for (const x of out) {
		let order = x.order;
		if (order === undefined) {
			order = [1, 2, 3].find((n) => !used.has(n));
			if (order === undefined) {
				ctx.problems.push({
					entry: x.entry.index,
					path: `Bundle.entry[${x.entry.index}].resource.order`,
					message: 'More than three coverages at once; give each an order'
				});
				continue;
			}
			used.add(order);
		}
		x.json.order = ORDERS[order - 1];
	}
	return out.map((x) => x.json);
}

/** Maps a `coverages[i]…` schema issue to the Coverage entry it came from, the rest to the Patient. */
function schemaProblem(slot: PatientSlot, path: PropertyKey[], message: string): ImportProblem {
	if (path[0] === 'coverages' && typeof path[1] === 'number' && slot.coverages[path[1]]) {
		const e = slot.coverages[path[1]]!.entry.index;
		return { entry: e, path: `Bundle.entry[${e}].resource${COVERAGE_PATHS[String(path[2])] ?? ''}`, message };
	}
	const i = slot.entry.index;
	return { entry: i, path: `Bundle.entry[${i}].resource${PATIENT_PATHS[String(path[0])] ?? ''}`, message };
}

/**
 * Where each schema field lives in FHIR (for problem paths). The keys are also the list of fields the
 * mapping handles: a test fails when the schema gains a field that is not here.
 */
export const FHIR_FIELD_PATHS: { patient: Record<string, string>; coverage: Record<string, string> } = {
	get patient() {
		return PATIENT_PATHS;
	},
	get coverage() {
		return COVERAGE_PATHS;
	}
};

const PATIENT_PATHS: Record<string, string> = {
	id: '.id',
	createdAt: '.extension',
	updatedAt: '.meta.lastUpdated',
	deletedAt: '.extension',
	mrn: '.identifier',
	familyName: '.name.family',
	givenName: '.name.given',
	middleName: '.name.given',
	suffix: '.name.suffix',
	preferredName: '.name',
	dateOfBirth: '.birthDate',
	sex: '.gender',
	genderIdentity: '.extension',
	pronouns: '.extension',
	phones: '.telecom',
	email: '.telecom',
	address: '.address',
	preferredLanguage: '.communication',
	emergencyContacts: '.contact',
	guardian: '.contact',
	consents: '.extension',
	privacy: '.extension',
	alerts: '.extension',
	primaryProviderId: '.generalPractitioner',
	coverages: '',
	otherMrns: '.identifier',
	mergedInto: '.link'
};

const COVERAGE_PATHS: Record<string, string> = {
	id: '.id',
	order: '.order',
	payerName: '.payor',
	payerId: '.payor.identifier',
	planName: '.class',
	memberId: '.subscriberId',
	groupNumber: '.class',
	subscriberRelationship: '.relationship',
	subscriberName: '.subscriber',
	subscriberDateOfBirth: '.subscriber',
	effectiveFrom: '.period.start',
	effectiveTo: '.period.end',
	cardFrontDocumentId: '.extension',
	cardBackDocumentId: '.extension'
};

function pickId(id: string | undefined, fullUrl: string | undefined, newId: () => string): string {
	if (id && recordId.safeParse(id).success) return id;
	const m = /^urn:uuid:(.+)$/i.exec(fullUrl ?? '');
	if (m && recordId.safeParse(m[1]).success) return m[1]!;
	return newId();
}

function subscriberRelationship(code: string | undefined): Coverage['subscriberRelationship'] {
	switch (code) {
		case undefined:
		case 'self':
			return 'self';
		case 'spouse':
		case 'common':
			return 'spouse';
		case 'child':
			return 'child';
		default:
			return 'other';
	}
}

function guardianRelationship(relationships: unknown[]): Guardian['relationship'] | undefined {
	for (const rel of relationships)
		for (const [key, code] of Object.entries(GUARDIAN_ROLE))
			if (hasCoding(rel, code.system, code.code)) return key as Guardian['relationship'];
	return undefined;
}

/** The words for an emergency contact's relationship: free text first, then a code's display. */
function contactRelationship(relationships: unknown[]): string {
	const concepts = relationships.map(obj).filter((x): x is Json => !!x);
	const text = concepts.map((c) => str(c.text)).find(Boolean);
	if (text) return text;
	for (const c of concepts)
		for (const coding of arr(c.coding).map(obj))
			if (coding && !(coding.system === V2_0131 && coding.code === 'C'))
				return str(coding.display) ?? str(coding.code) ?? '';
	return '';
}

function personName(name: unknown): string | undefined {
	const n = obj(name);
	if (!n) return undefined;
	return str(n.text) ?? ([...strings(n.given), str(n.family)].filter(Boolean).join(' ') || undefined);
}

function conceptText(concept: unknown, nameOf?: (code: string) => string | undefined): string | undefined {
	const c = obj(concept);
	if (!c) return undefined;
	const text = str(c.text);
	if (text) return text;
	const coding = arr(c.coding).map(obj).find(Boolean);
	const code = str(coding?.code);
	return str(coding?.display) ?? (code && nameOf?.(code)) ?? code;
}

function complexValueText(ext: Json | undefined): string | undefined {
	return conceptText(sub(ext, 'value')?.valueCodeableConcept);
}

function countryCode(country: string | undefined): string {
	if (!country) return 'US';
	const c = country.trim();
	if (/^(usa|united states( of america)?)$/i.test(c)) return 'US';
	// Kept as written otherwise, so a round trip is exact; the schema refuses what is not two letters.
	return c;
}

function hasCoding(concept: unknown, system: string, code: string): boolean {
	return arr(obj(concept)?.coding).some((x) => obj(x)?.system === system && obj(x)?.code === code);
}

function extsIn(holder: Json, url: string): Json[] {
	return arr(holder.extension)
		.map(obj)
		.filter((x): x is Json => !!x && x.url === url);
}

function sub(ext: Json | undefined, url: string): Json | undefined {
	return ext ? extsIn(ext, url)[0] : undefined;
}

function resourceTypeName(v: unknown): string | undefined {
	return typeof v === 'string' && /^[A-Z][A-Za-z]{1,63}$/.test(v) ? v : undefined;
}

function digits(s: string): string {
	return s.replace(/\D/g, '');
}

function obj(v: unknown): Json | undefined {
	return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] {
	return Array.isArray(v) ? v : [];
}

/** A non-blank string, trimmed; anything else is absent. */
function str(v: unknown): string | undefined {
	return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function strings(v: unknown): string[] {
	return arr(v)
		.map(str)
		.filter((x): x is string => !!x);
}
