/**
 * Patients from and to CSV files such as other practice systems and spreadsheets export.
 *
 * Import is three steps, each pure so it is tested without a browser: `parseCsv` (RFC 4180: quoted
 * cells with commas, quotes and line breaks, CRLF or LF, a UTF-8 BOM; comma, semicolon or tab as the
 * separator), `suggestMapping` (which column is which field, from its header), and `dryRun`
 * (every row checked with the patient schema; the good ones become patients, each bad one is listed
 * with its spreadsheet row number and reasons that name the column and the problem, never the
 * value). `startDryRun` does the same in steps so a screen can show progress on a large file.
 *
 * `patientsToCsv` writes the columns `suggestMapping` recognises, so an export imports back. Cells
 * that a spreadsheet would run as a formula get a leading apostrophe (see `csvField`); the import
 * takes that apostrophe off again.
 */
import { isoDate } from '../common/primitives';
import { csvField } from '../security/audit-csv';
import { patient as patientSchema, patientEntryIssues, type Coverage, type Patient } from './schemas';
import { mrnKey, type PatientInput } from './transfer';

export const CSV_TARGETS = [
	'mrn',
	'familyName',
	'givenName',
	'middleName',
	'suffix',
	'preferredName',
	'dateOfBirth',
	'sex',
	'mobilePhone',
	'mobileCanText',
	'homePhone',
	'workPhone',
	'otherPhone',
	'email',
	'addressLine1',
	'addressLine2',
	'city',
	'state',
	'postalCode',
	'country',
	'preferredLanguage',
	'payerName',
	'payerId',
	'planName',
	'memberId',
	'groupNumber',
	'emergencyName',
	'emergencyRelationship',
	'emergencyPhone'
] as const;
export type CsvTarget = (typeof CSV_TARGETS)[number];

/** What the mapping screen calls each field, and the header `patientsToCsv` writes for it. */
export const CSV_TARGET_LABELS: Record<CsvTarget, string> = {
	mrn: 'MRN',
	familyName: 'Last Name',
	givenName: 'First Name',
	middleName: 'Middle Name',
	suffix: 'Suffix',
	preferredName: 'Preferred Name',
	dateOfBirth: 'Date of Birth',
	sex: 'Sex',
	mobilePhone: 'Mobile Phone',
	mobileCanText: 'Mobile Can Text',
	homePhone: 'Home Phone',
	workPhone: 'Work Phone',
	otherPhone: 'Other Phone',
	email: 'Email',
	addressLine1: 'Address',
	addressLine2: 'Address 2',
	city: 'City',
	state: 'State',
	postalCode: 'Zip',
	country: 'Country',
	preferredLanguage: 'Language',
	payerName: 'Insurance',
	payerId: 'Payer ID',
	planName: 'Plan',
	memberId: 'Member ID',
	groupNumber: 'Group #',
	emergencyName: 'Emergency Contact',
	emergencyRelationship: 'Emergency Relationship',
	emergencyPhone: 'Emergency Phone'
};

/** Fields without which no row can become a patient. */
export const REQUIRED_TARGETS: readonly CsvTarget[] = ['familyName', 'givenName', 'dateOfBirth'];

/**
 * Header spellings, compared after `headerKey` (lower case, `#` read as "number", everything but
 * letters and digits dropped): "Chart #" → `chartnumber`, "E-mail" → `email`.
 */
const SYNONYMS: Record<CsvTarget, string[]> = {
	mrn: [
		'mrn',
		'mrnnumber',
		'mrno',
		'medicalrecordnumber',
		'medicalrecord',
		'chartnumber',
		'chart',
		'chartno',
		'chartid',
		'patientid',
		'patientnumber',
		'accountnumber',
		'recordnumber'
	],
	familyName: ['lastname', 'surname', 'family', 'familyname', 'last', 'patientlastname', 'lname'],
	givenName: ['firstname', 'given', 'givenname', 'first', 'patientfirstname', 'forename', 'fname'],
	middleName: ['middlename', 'middle', 'middleinitial', 'mi'],
	suffix: ['suffix', 'namesuffix'],
	preferredName: ['preferredname', 'nickname', 'goesby'],
	dateOfBirth: ['dob', 'dateofbirth', 'birthdate', 'birthday', 'dobmmddyyyy', 'patientdob'],
	sex: ['sex', 'gender', 'birthsex', 'administrativesex'],
	mobilePhone: ['mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone', 'cellnumber', 'cellular'],
	mobileCanText: ['mobilecantext', 'cantext', 'textok', 'smsok', 'oktotext'],
	homePhone: ['homephone', 'home', 'homenumber', 'phonehome'],
	workPhone: ['workphone', 'work', 'worknumber', 'businessphone', 'officephone', 'phonework'],
	otherPhone: ['otherphone', 'phone', 'phonenumber', 'telephone', 'tel', 'primaryphone', 'contactnumber'],
	email: ['email', 'emailaddress', 'mail'],
	addressLine1: [
		'address',
		'address1',
		'addressline1',
		'street',
		'streetaddress',
		'mailingaddress',
		'homeaddress'
	],
	addressLine2: ['address2', 'addressline2', 'apt', 'apartment', 'suite', 'unit'],
	city: ['city', 'town'],
	state: ['state', 'province', 'st', 'region'],
	postalCode: ['zip', 'zipcode', 'postalcode', 'postcode', 'zip5'],
	country: ['country', 'countrycode'],
	preferredLanguage: ['language', 'preferredlanguage', 'primarylanguage'],
	payerName: [
		'insurance',
		'insurancename',
		'insurancecompany',
		'primaryinsurance',
		'payer',
		'payor',
		'payername',
		'carrier',
		'insurer'
	],
	payerId: ['payerid', 'payorid', 'electronicpayerid', 'payernumber'],
	planName: ['plan', 'planname', 'insuranceplan'],
	memberId: [
		'memberid',
		'membernumber',
		'policynumber',
		'policy',
		'policyno',
		'policyid',
		'subscriberid',
		'insuranceid',
		'idnumber'
	],
	groupNumber: ['groupnumber', 'group', 'groupno', 'groupid', 'insurancegroup'],
	emergencyName: ['emergencycontact', 'emergencycontactname', 'emergencyname', 'ecname'],
	emergencyRelationship: [
		'emergencyrelationship',
		'emergencycontactrelationship',
		'relationship',
		'ecrelationship'
	],
	emergencyPhone: ['emergencyphone', 'emergencycontactphone', 'ecphone']
};

const BY_KEY = new Map<string, CsvTarget>(
	CSV_TARGETS.flatMap((t) => SYNONYMS[t].map((k) => [k, t] as [string, CsvTarget]))
);

export function headerKey(header: string): string {
	return header
		.toLowerCase()
		.replace(/#/g, 'number')
		.replace(/[^a-z0-9]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

export interface CsvTable {
	/** The first row, with blank headers named `Column N`. */
	headers: string[];
	/** The rows after it, in order; row `i` is spreadsheet row `i + 2`. */
	rows: string[][];
}

export type CsvParseResult = ({ ok: true } & CsvTable) | { ok: false; error: string };

/** RFC 4180 parsing. A quote left open is an error for the whole file: nothing is guessed. */
export function parseCsv(text: string): CsvParseResult {
	const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	const sep = detectSeparator(src);
	const records: string[][] = [];
	let row: string[] = [];
	let i = 0;
	const n = src.length;
	while (i <= n) {
		if (i === n) {
			// End of input: a final row without a line break.
			if (row.length) records.push(row);
			break;
		}
		let cell: string;
		if (src.charCodeAt(i) === 34 /* " */) {
			const start = records.length + 1;
			let out = '';
			let j = i + 1;
			for (;;) {
				const q = src.indexOf('"', j);
				if (q < 0) return { ok: false, error: `A quoted cell that starts on row ${start} is never closed` };
				out += src.slice(j, q);
				if (src.charCodeAt(q + 1) === 34) {
					out += '"';
					j = q + 2;
				} else {
					j = q + 1;
					break;
				}
			}
			// Anything between the closing quote and the separator is kept as written.
			let k = j;
			while (k < n && src[k] !== sep && src[k] !== '\n' && src[k] !== '\r') k++;
			cell = out + src.slice(j, k);
			i = k;
		} else {
			let k = i;
			while (k < n && src[k] !== sep && src[k] !== '\n' && src[k] !== '\r') k++;
			cell = src.slice(i, k);
			i = k;
		}
		row.push(cell);
		if (i >= n) {
			records.push(row);
			row = [];
			break;
		}
		const c = src[i];
		if (c === sep) {
			i++;
			if (i === n) {
				row.push('');
				records.push(row);
				row = [];
				break;
			}
		} else {
			records.push(row);
			row = [];
			i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
		}
	}
	if (records.length === 0) return { ok: false, error: 'The file is empty' };
	const headers = records[0]!.map((h, k) => h.trim() || `Column ${k + 1}`);
	return { ok: true, headers, rows: records.slice(1) };
}

/** The separator of the header line: comma unless semicolons or tabs clearly outnumber commas. */
function detectSeparator(src: string): string {
	const end = src.search(/\r|\n/);
	const line = (end < 0 ? src : src.slice(0, end)).replace(/"[^"]*"/g, '');
	const count = (c: string) => line.split(c).length - 1;
	const [comma, semi, tab] = [count(','), count(';'), count('\t')];
	if (tab > comma && tab >= semi) return '\t';
	if (semi > comma) return ';';
	return ',';
}

// ---------------------------------------------------------------------------------------------
// Mapping
// ---------------------------------------------------------------------------------------------

/** One entry per column of the file, in order: its header and the field it fills (null: ignored). */
export type ColumnMapping = { column: string; target: CsvTarget | null }[];

/** The field each header most likely holds; a field goes to the first column that claims it. */
export function suggestMapping(headers: readonly string[]): ColumnMapping {
	const taken = new Set<CsvTarget>();
	return headers.map((column) => {
		const target = BY_KEY.get(headerKey(column)) ?? null;
		if (!target || taken.has(target)) return { column, target: null };
		taken.add(target);
		return { column, target };
	});
}

/** What must change in a mapping before a dry run makes sense (a required field unmapped, a field twice). */
export function mappingProblems(mapping: ColumnMapping): string[] {
	const out: string[] = [];
	const count = new Map<CsvTarget, number>();
	for (const m of mapping) if (m.target) count.set(m.target, (count.get(m.target) ?? 0) + 1);
	for (const t of REQUIRED_TARGETS)
		if (!count.has(t)) out.push(`Choose the column that holds ${CSV_TARGET_LABELS[t]}`);
	for (const [t, c] of count)
		if (c > 1) out.push(`${c} columns are set to ${CSV_TARGET_LABELS[t]}; keep one`);
	return out;
}

// ---------------------------------------------------------------------------------------------
// Dry run
// ---------------------------------------------------------------------------------------------

export interface DryRunOptions {
	/** The clinic's local date (`yyyy-mm-dd`): birth dates after it are refused. */
	today: string;
	/** MRNs already in the clinic; a row bringing one of them is refused. */
	existingMrns?: Iterable<string>;
	/** The next free MRN, for rows without one (see `mrnSequence`); without it such rows are refused. */
	nextMrn?: () => string;
	/** Ids for new coverages; default `crypto.randomUUID`. */
	newId?: () => string;
}

export interface BadRow {
	/** As a spreadsheet numbers it: the header is row 1. */
	row: number;
	reasons: string[];
}

export interface DryRunResult {
	valid: PatientInput[];
	bad: BadRow[];
}

export interface DryRunJob {
	/** Rows in the file (blank rows included; they are skipped without a report). */
	readonly total: number;
	/** Rows checked so far. */
	readonly done: number;
	/** Checks up to `count` more rows; true when every row is checked. */
	step(count: number): boolean;
	result(): DryRunResult;
}

/** Checks every row at once. */
export function dryRun(rows: readonly string[][], mapping: ColumnMapping, opts: DryRunOptions): DryRunResult {
	const job = startDryRun(rows, mapping, opts);
	job.step(Infinity);
	return job.result();
}

const PLACEHOLDER = {
	id: '00000000-0000-4000-8000-000000000000',
	createdAt: '2000-01-01T00:00:00.000Z',
	updatedAt: '2000-01-01T00:00:00.000Z'
};

/** A dry run in steps, so a screen can show progress and stay responsive on a large file. */
export function startDryRun(
	rows: readonly string[][],
	mapping: ColumnMapping,
	opts: DryRunOptions
): DryRunJob {
	const col = new Map<CsvTarget, number>();
	mapping.forEach((m, k) => {
		if (m.target && !col.has(m.target)) col.set(m.target, k);
	});
	const header = (t: CsvTarget) => (col.has(t) ? mapping[col.get(t)!]!.column : CSV_TARGET_LABELS[t]);
	const cell = (row: readonly string[], t: CsvTarget): string => {
		const k = col.get(t);
		return k === undefined ? '' : unescapeCell(row[k] ?? '').trim();
	};
	const newId = opts.newId ?? (() => crypto.randomUUID());

	// MRNs are compared across the whole file before any row is judged.
	const existing = new Set([...(opts.existingMrns ?? [])].map(mrnKey));
	const rowsByMrn = new Map<string, number[]>();
	if (col.has('mrn'))
		rows.forEach((r, i) => {
			const key = mrnKey(cell(r, 'mrn'));
			if (key) rowsByMrn.set(key, [...(rowsByMrn.get(key) ?? []), i + 2]);
		});
	const reserved = new Set([...existing, ...rowsByMrn.keys()]);
	const assignMrn = (): string | undefined => {
		if (!opts.nextMrn) return undefined;
		for (let tries = 0; tries < 10_000; tries++) {
			const next = opts.nextMrn();
			if (!reserved.has(mrnKey(next))) {
				reserved.add(mrnKey(next));
				return next;
			}
		}
		return undefined;
	};

	const valid: PatientInput[] = [];
	const bad: BadRow[] = [];
	let done = 0;

	const checkRow = (r: readonly string[], rowNumber: number) => {
		if (r.every((c) => !c.trim())) return;
		const reasons: string[] = [];
		const say = (t: CsvTarget, problem: string) => reasons.push(`${header(t)}: ${problem}`);
		// Paths of the candidate that came from a column, so schema issues name the user's header.
		const pathHeader = new Map<string, CsvTarget>();

		if (r.length > mapping.length && r.slice(mapping.length).some((c) => c.trim()))
			reasons.push(`Row has ${r.length} cells but the header has ${mapping.length}`);

		// A row without an MRN gets the next free one, but only once it has passed, so bad rows leave
		// no gaps in the sequence.
		const mrn = cell(r, 'mrn');
		if (mrn) {
			const others = (rowsByMrn.get(mrnKey(mrn)) ?? []).filter((x) => x !== rowNumber);
			if (others.length)
				say('mrn', `also on row ${others.slice(0, 5).join(', ')}${others.length > 5 ? ' and others' : ''}`);
			if (existing.has(mrnKey(mrn))) say('mrn', 'already used by a patient in this clinic');
		} else if (!opts.nextMrn) say('mrn', 'missing');

		const dobText = cell(r, 'dateOfBirth');
		const dateOfBirth = dobText ? parseDate(dobText) : '';
		if (!dobText) say('dateOfBirth', 'required');
		else if (!dateOfBirth) say('dateOfBirth', 'not a date (expected M/D/YYYY or YYYY-MM-DD)');

		const sexText = cell(r, 'sex');
		const sex = parseSex(sexText);
		if (!sex) say('sex', 'not recognised (expected F, M, Other or Unknown)');

		const phones: Patient['phones'] = [];
		const canTextText = cell(r, 'mobileCanText');
		const canText = parseYesNo(canTextText);
		if (canText === null) say('mobileCanText', 'not recognised (expected Yes or No)');
		for (const [t, type] of [
			['mobilePhone', 'mobile'],
			['homePhone', 'home'],
			['workPhone', 'work'],
			['otherPhone', 'other']
		] as const) {
			const number = cell(r, t);
			if (!number) continue;
			pathHeader.set(`phones.${phones.length}`, t);
			phones.push({
				type,
				number,
				canText: type === 'mobile' && canText === true,
				primary: phones.length === 0
			});
		}

		const candidate: Record<string, unknown> = {
			...PLACEHOLDER,
			mrn: mrn || 'PENDING',
			familyName: cell(r, 'familyName'),
			givenName: cell(r, 'givenName'),
			dateOfBirth: dateOfBirth || '1900-01-01',
			sex: sex ?? 'unknown',
			phones
		};
		const optional = (key: string, t: CsvTarget) => {
			const v = cell(r, t);
			if (v) candidate[key] = v;
		};
		optional('middleName', 'middleName');
		optional('suffix', 'suffix');
		optional('preferredName', 'preferredName');
		optional('email', 'email');
		optional('preferredLanguage', 'preferredLanguage');

		const addressParts = ['addressLine1', 'addressLine2', 'city', 'state', 'postalCode', 'country'] as const;
		if (addressParts.some((t) => cell(r, t))) {
			const address: Record<string, string> = {
				line1: cell(r, 'addressLine1'),
				city: cell(r, 'city'),
				state: cell(r, 'state'),
				postalCode: cell(r, 'postalCode'),
				country: countryCode(cell(r, 'country'))
			};
			if (cell(r, 'addressLine2')) address.line2 = cell(r, 'addressLine2');
			candidate.address = address;
		}

		const insuranceParts = ['payerName', 'payerId', 'planName', 'memberId', 'groupNumber'] as const;
		if (insuranceParts.some((t) => cell(r, t))) {
			const payerName = cell(r, 'payerName');
			const memberId = cell(r, 'memberId');
			if (!payerName) say('payerName', 'missing (needed when other insurance columns are filled)');
			if (!memberId) say('memberId', 'missing (needed when other insurance columns are filled)');
			const coverage: Partial<Coverage> = {
				id: PLACEHOLDER.id,
				order: 'primary',
				payerName,
				memberId,
				subscriberRelationship: 'self'
			};
			if (cell(r, 'payerId')) coverage.payerId = cell(r, 'payerId');
			if (cell(r, 'planName')) coverage.planName = cell(r, 'planName');
			if (cell(r, 'groupNumber')) coverage.groupNumber = cell(r, 'groupNumber');
			candidate.coverages = [coverage];
		}

		const ecName = cell(r, 'emergencyName');
		const ecPhone = cell(r, 'emergencyPhone');
		const ecRelationship = cell(r, 'emergencyRelationship');
		if (ecName || ecPhone || ecRelationship) {
			if (!ecName) say('emergencyName', 'missing (needed with an emergency phone or relationship)');
			candidate.emergencyContacts = [{ name: ecName, relationship: ecRelationship, phone: ecPhone }];
		}

		const parsed = patientSchema.safeParse(candidate);
		if (dateOfBirth)
			for (const issue of patientEntryIssues(parsed.success ? parsed.data : { dateOfBirth }, opts.today)) {
				const target = targetOf(issue.path, pathHeader);
				const reason = describeIssue({ code: 'custom', message: issue.message });
				reasons.push(target ? `${header(target)}: ${reason}` : reason);
			}
		if (!parsed.success) {
			for (const issue of parsed.error.issues) {
				const target = targetOf(issue.path, pathHeader);
				// Fields already reported above (a blank required cell, a bad date) are not reported twice.
				if (target === 'dateOfBirth' && !dateOfBirth) continue;
				if (
					(target === 'payerName' || target === 'memberId' || target === 'emergencyName') &&
					issue.code === 'too_small'
				)
					continue;
				const reason = target ? `${header(target)}: ${describeIssue(issue)}` : describeIssue(issue);
				if (!reasons.includes(reason)) reasons.push(reason);
			}
		}
		const assigned = !reasons.length && parsed.success && !mrn ? assignMrn() : undefined;
		if (!reasons.length && parsed.success && !mrn && !assigned) say('mrn', 'no free number to assign');
		if (reasons.length || !parsed.success) {
			bad.push({ row: rowNumber, reasons: reasons.length ? reasons : ['The row could not be read'] });
			return;
		}
		const { id: _id, createdAt: _c, updatedAt: _u, ...input } = parsed.data;
		if (assigned) input.mrn = assigned;
		for (const c of input.coverages) c.id = newId();
		valid.push(input);
	};

	return {
		total: rows.length,
		get done() {
			return done;
		},
		step(count: number): boolean {
			const end = Math.min(rows.length, done + count);
			for (; done < end; done++) checkRow(rows[done]!, done + 2);
			return done >= rows.length;
		},
		result: () => ({ valid: [...valid], bad: [...bad] })
	};
}

const ADDRESS_TARGETS: Record<string, CsvTarget> = {
	line1: 'addressLine1',
	line2: 'addressLine2',
	city: 'city',
	state: 'state',
	postalCode: 'postalCode',
	country: 'country'
};
const CONTACT_TARGETS: Record<string, CsvTarget> = {
	name: 'emergencyName',
	relationship: 'emergencyRelationship',
	phone: 'emergencyPhone'
};

/** The column a schema path came from (phones by the column that gave each number). */
function targetOf(path: readonly PropertyKey[], pathHeader: Map<string, CsvTarget>): CsvTarget | undefined {
	const [a, b, c] = path.map(String);
	const isTarget = (x: string | undefined): x is CsvTarget =>
		!!x && (CSV_TARGETS as readonly string[]).includes(x);
	switch (a) {
		case 'phones':
			return pathHeader.get(`phones.${b}`);
		case 'address':
			return ADDRESS_TARGETS[b ?? ''];
		case 'coverages':
			return isTarget(c) ? c : 'payerName';
		case 'emergencyContacts':
			return CONTACT_TARGETS[c ?? ''];
		default:
			return isTarget(a) ? a : undefined;
	}
}

/** A zod issue in words that name the problem only (zod's own messages never carry the value either). */
function describeIssue(issue: {
	code: string;
	message: string;
	minimum?: unknown;
	maximum?: unknown;
	format?: string;
}): string {
	switch (issue.code) {
		case 'too_small':
			return Number(issue.minimum) <= 1 ? 'required' : `shorter than ${String(issue.minimum)} characters`;
		case 'too_big':
			return `longer than ${String(issue.maximum)} characters`;
		case 'invalid_format':
			return issue.format === 'email' ? 'not an e-mail address' : 'not in the expected format';
		case 'invalid_value':
			return 'not one of the allowed values';
	}
	if (issue.message === 'Enter a phone number with area code') return 'needs an area code (10 digits)';
	if (issue.message === 'Date of birth is before 1900') return 'before 1900';
	if (issue.message === 'Date of birth is in the future') return 'in the future';
	return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

/** `M/D/YYYY`, `MM/DD/YYYY` or `YYYY-MM-DD` to an ISO date; '' when it is not a real date. */
export function parseDate(text: string): string {
	let y: string, m: string, d: string;
	const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
	const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
	if (us) [, m, d, y] = us as unknown as [string, string, string, string];
	else if (iso) [, y, m, d] = iso as unknown as [string, string, string, string];
	else return '';
	const out = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
	return isoDate.safeParse(out).success ? out : '';
}

function parseSex(text: string): Patient['sex'] | null {
	switch (text.toLowerCase()) {
		case 'f':
		case 'female':
		case 'woman':
			return 'female';
		case 'm':
		case 'male':
		case 'man':
			return 'male';
		case 'o':
		case 'x':
		case 'other':
		case 'nonbinary':
		case 'non-binary':
			return 'other';
		case '':
		case 'u':
		case 'unk':
		case 'unknown':
			return 'unknown';
		default:
			return null;
	}
}

function parseYesNo(text: string): boolean | null {
	const t = text.toLowerCase();
	if (['', 'n', 'no', 'false', '0'].includes(t)) return false;
	if (['y', 'yes', 'true', '1', 'x'].includes(t)) return true;
	return null;
}

function countryCode(text: string): string {
	if (!text || /^(usa?|united states( of america)?)$/i.test(text)) return 'US';
	return text.length === 2 ? text.toUpperCase() : text;
}

/** Undoes `csvField`'s guard: `'=x` was written for `=x`. */
function unescapeCell(value: string): string {
	return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

const EXPORT_COLUMNS: readonly CsvTarget[] = CSV_TARGETS;

const SEX_LABELS: Record<Patient['sex'], string> = {
	female: 'Female',
	male: 'Male',
	other: 'Other',
	unknown: 'Unknown'
};

/**
 * RFC 4180 CSV (UTF-8 with a BOM so spreadsheets read accents, CRLF line ends, header first) of the
 * fields most offices exchange: one phone of each type, the primary coverage in force, the first
 * emergency contact. Guardians, consents, privacy flags and alerts are not in it: use FHIR for a
 * complete copy.
 */
export function patientsToCsv(patients: readonly Patient[]): string {
	const lines = [EXPORT_COLUMNS.map((t) => csvField(CSV_TARGET_LABELS[t])).join(',')];
	for (const p of patients) {
		const phone = (type: Patient['phones'][number]['type']) => p.phones.find((x) => x.type === type);
		const coverage = primaryCoverage(p.coverages);
		const ec = p.emergencyContacts[0];
		const values: Record<CsvTarget, string | undefined> = {
			mrn: p.mrn,
			familyName: p.familyName,
			givenName: p.givenName,
			middleName: p.middleName,
			suffix: p.suffix,
			preferredName: p.preferredName,
			dateOfBirth: p.dateOfBirth,
			sex: SEX_LABELS[p.sex],
			mobilePhone: phone('mobile')?.number,
			mobileCanText: phone('mobile') ? (phone('mobile')!.canText ? 'Yes' : 'No') : undefined,
			homePhone: phone('home')?.number,
			workPhone: phone('work')?.number,
			otherPhone: phone('other')?.number,
			email: p.email,
			addressLine1: p.address?.line1,
			addressLine2: p.address?.line2,
			city: p.address?.city,
			state: p.address?.state,
			postalCode: p.address?.postalCode,
			country: p.address?.country,
			preferredLanguage: p.preferredLanguage,
			payerName: coverage?.payerName,
			payerId: coverage?.payerId,
			planName: coverage?.planName,
			memberId: coverage?.memberId,
			groupNumber: coverage?.groupNumber,
			emergencyName: ec?.name,
			emergencyRelationship: ec?.relationship,
			emergencyPhone: ec?.phone
		};
		lines.push(EXPORT_COLUMNS.map((t) => csvField(values[t] ?? '')).join(','));
	}
	return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The primary plan: one with no end date (or the latest end) wins over an ended one. */
function primaryCoverage(coverages: readonly Coverage[]): Coverage | undefined {
	return coverages
		.filter((c) => c.order === 'primary')
		.sort((a, b) => (b.effectiveTo ?? '9999-12-31').localeCompare(a.effectiveTo ?? '9999-12-31'))[0];
}

/** The bad rows as CSV (row number and reasons only, no values), for a person fixing the file. */
export function badRowsCsv(bad: readonly BadRow[]): string {
	const lines = ['Row,Problems', ...bad.map((b) => `${b.row},${csvField(b.reasons.join('; '))}`)];
	return `${lines.join('\r\n')}\r\n`;
}
