/**
 * Text folding and query understanding for patient search (see search.ts for the index).
 *
 * A query is split on spaces, commas and semicolons into terms. Every term must match the patient
 * (AND); a term matches by any of its readings (OR). What each kind of term means:
 *
 * (Ranking, in search.ts: exact beats prefix beats a typo; a family name beats a given name; an
 * exact MRN, a whole phone number and a whole date of birth rank highest; ties go by family, then
 * given name.)
 *
 * - **Name** (letters only; `O'Brien` → `obrien`, `Smith-Jones` → `smith` and `jones`): matches one name
 *   part (family, given, middle, preferred, suffix) exactly, as a prefix, or, from 4 letters on, within
 *   Damerau distance 1 of the whole part (2 from 8 letters on); from 5 letters on also within that
 *   distance of the part's first letters (`shmid` finds Schmidt while it is typed). Case and
 *   diacritics are ignored (`José` = `jose`).
 * - **Date of birth**, US order (month before day):
 *   `3/14/1975`, `03/14/1975`, `3-14-1975`, `3/14/75` (two-digit years pivot to the latest year not
 *   after this one: `3/14/19` is 2019, `3/14/30` is 1930), `1975-03-14` (ISO), and, unpunctuated,
 *   `03141975` (MMDDYYYY), `19750314` (YYYYMMDD) and `031475` (MMDDYY). While a date is typed its
 *   beginning already matches: `3/` (born in March), `3/14` (on March 14th of any year), `3/14/1`,
 *   `3/14/19` (2019 or 19xx), `3/14/197` (1970s); `1975-`, `1975-03`. Day-first dates (`14.03.1975`)
 *   are not read as dates; a punctuated date that cannot exist (`2/30/1975`) matches nobody.
 * - **Digits** (digits with phone punctuation; `(312) 555-0187` and `312 555 0187` are one term): an
 *   MRN whose number is the same (`123` and `000123` both find `MRN-000123`: leading zeros and letters
 *   are ignored), and from 4 digits on also an MRN whose digits start with them and any phone number
 *   containing them (`0187`, `5550187`, `312.555.0187`, `+1 312 555 0187`). Unpunctuated 6- and 8-digit
 *   terms are also read as dates.
 *   MRNs here and below include those of records merged into the patient (`otherMrns`).
 * - **MRN with letters** (`mrn-000123`, `MRN000`): the MRN with punctuation removed starts with it.
 *   The word `MRN` on its own is no name: it makes the number after it (`MRN 000123`) match MRNs only.
 */

/** Letters that NFD does not decompose, spelled the way a US keyboard would type them. */
const SPECIAL: Record<string, string> = {
	ß: 'ss',
	æ: 'ae',
	œ: 'oe',
	ø: 'o',
	ł: 'l',
	đ: 'd',
	ð: 'd',
	þ: 'th',
	ı: 'i'
};
const NON_ASCII = /[^ -~\t\n\r]/;
const MARKS = /\p{M}+/gu;
const SPECIALS = /[ßæœøłđðþı]/g;
const APOSTROPHES = /['’ʼ`´]/g;

/** Lower case without diacritics: `Zoë Ångström` → `zoe angstrom`. */
export function fold(text: string): string {
	const lower = text.toLowerCase();
	if (!NON_ASCII.test(lower)) return lower;
	return lower
		.normalize('NFD')
		.replace(MARKS, '')
		.replace(SPECIALS, (c) => SPECIAL[c]!);
}

/**
 * The searchable parts of one name field: `Mary Ann` → `mary`, `ann`; `O'Brien` → `obrien`, `brien`;
 * `Smith-Jones` → `smith`, `jones`. Digits are dropped (`John 3rd` → `john`, `rd`).
 */
export function nameParts(name: string | undefined): string[] {
	if (!name) return [];
	const out: string[] = [];
	for (const word of fold(name).split(/[^a-z'’ʼ`´]+/)) {
		const joined = word.replace(APOSTROPHES, '');
		if (!joined) continue;
		out.push(joined);
		if (joined.length !== word.length)
			for (const piece of word.split(APOSTROPHES)) if (piece.length >= 2 && piece !== joined) out.push(piece);
	}
	return out;
}

/** A date of birth as far as it has been typed. Absent fields match anything. */
export interface DatePattern {
	month?: number;
	day?: number;
	/** Years that match exactly (a four-digit year, or a two-digit one after the pivot). */
	years?: number[];
	/** Or a year that starts with these digits (`19` while `1975` is being typed). */
	yearPrefix?: string;
}

export type QueryTerm =
	| { kind: 'name'; text: string }
	| { kind: 'date'; date: DatePattern }
	/**
	 * `digits` as typed (MRN), `phone` without a leading US country code, `date` if it also reads as
	 * one; `mrnOnly` after the word `MRN` (`MRN 000123`).
	 */
	| { kind: 'digits'; digits: string; phone: string; date?: DatePattern; mrnOnly?: true }
	| { kind: 'mrn'; key: string }
	/** Something that can match nobody, such as February 30th. */
	| { kind: 'never' };

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function dayExists(month: number, day: number, year?: number): boolean {
	if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
	if (year === undefined || month !== 2 || day !== 29) return true;
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `75` → 1975, `19` → 2019 in 2026: the latest such year that is not in the future. */
export function pivotYear(twoDigits: number, currentYear: number): number {
	const century = Math.floor(currentYear / 100) * 100;
	const year = century + twoDigits;
	return year <= currentYear ? year : year - 100;
}

function usYear(text: string, currentYear: number): Pick<DatePattern, 'years' | 'yearPrefix'> | null {
	if (text.length === 0) return {};
	if (text.length === 4) return { years: [Number(text)] };
	if (text.length === 2) return { years: [pivotYear(Number(text), currentYear)], yearPrefix: text };
	return { yearPrefix: text };
}

const US_DATE = /^(\d{1,2})[/-](\d{1,2})(?:[/-](\d{0,4}))?$/;
const MONTH_ONLY = /^(\d{1,2})[/-]$/;
const ISO_DATE = /^(\d{4})[/-](?:(\d{1,2})(?:[/-](\d{1,2})?)?)?$/;

/**
 * A punctuated date, complete or being typed: a `DatePattern`, `'invalid'` for a date-shaped term
 * that names no day, or `null` when the term is not date-shaped at all.
 */
export function parsePunctuatedDate(term: string, currentYear: number): DatePattern | 'invalid' | null {
	let m = US_DATE.exec(term);
	if (m) {
		const month = Number(m[1]);
		const day = Number(m[2]);
		const year = usYear(m[3] ?? '', currentYear);
		if (!year) return 'invalid';
		const exact = year.years?.length === 1 && !year.yearPrefix ? year.years[0] : undefined;
		return dayExists(month, day, exact) ? { month, day, ...year } : 'invalid';
	}
	m = MONTH_ONLY.exec(term);
	if (m) {
		const month = Number(m[1]);
		return month >= 1 && month <= 12 ? { month } : 'invalid';
	}
	m = ISO_DATE.exec(term);
	if (m) {
		const year = Number(m[1]);
		if (year < 1800 || year > currentYear + 1) return 'invalid';
		const out: DatePattern = { years: [year] };
		if (m[2] === undefined || m[2] === '0') return out; // `1975-0` is `1975-03` on its way
		out.month = Number(m[2]);
		if (out.month < 1 || out.month > 12) return 'invalid';
		if (m[3] === undefined || m[3] === '0') return out;
		out.day = Number(m[3]);
		return dayExists(out.month, out.day, year) ? out : 'invalid';
	}
	return null;
}

/** `03141975`, `19750314` or `031475` read as a date, or undefined. */
export function parseDigitDate(digits: string, currentYear: number): DatePattern | undefined {
	const n = (from: number, to: number) => Number(digits.slice(from, to));
	if (digits.length === 8) {
		const [month, day, year] = [n(0, 2), n(2, 4), n(4, 8)];
		if (year >= 1800 && year <= currentYear && dayExists(month, day, year))
			return { month, day, years: [year] };
		const [y, mo, d] = [n(0, 4), n(4, 6), n(6, 8)];
		if (y >= 1800 && y <= currentYear && dayExists(mo, d, y)) return { month: mo, day: d, years: [y] };
	}
	if (digits.length === 6) {
		const [month, day] = [n(0, 2), n(2, 4)];
		const year = pivotYear(n(4, 6), currentYear);
		if (dayExists(month, day, year)) return { month, day, years: [year] };
	}
	return undefined;
}

const PHONEISH = /^[+()\d.-]*\d[+()\d.-]*$/;
const HAS_LETTER = /[a-z]/;
const HAS_DIGIT = /\d/;

/** Splits a query into terms (see the top of this file). `currentYear` sets the two-digit-year pivot. */
export function parseQuery(query: string, currentYear: number): QueryTerm[] {
	const terms: QueryTerm[] = [];
	let digits = '';
	let mrnWord = false;
	const flushDigits = () => {
		if (!digits) return;
		const phone = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
		const date = parseDigitDate(digits, currentYear);
		if (mrnWord) terms.push({ kind: 'digits', digits, phone: digits, mrnOnly: true });
		else terms.push(date ? { kind: 'digits', digits, phone, date } : { kind: 'digits', digits, phone });
		digits = '';
		mrnWord = false;
	};
	for (const raw of fold(query).split(/[\s,;]+/)) {
		if (!raw) continue;
		const date = parsePunctuatedDate(raw, currentYear);
		if (date) {
			flushDigits();
			mrnWord = false;
			terms.push(date === 'invalid' ? { kind: 'never' } : { kind: 'date', date });
			continue;
		}
		// Consecutive number groups are one phone number: `(312) 555-0187`.
		if (PHONEISH.test(raw)) {
			digits += raw.replace(/\D/g, '');
			continue;
		}
		flushDigits();
		mrnWord = false;
		const word = raw.replace(APOSTROPHES, '');
		if (HAS_LETTER.test(word) && HAS_DIGIT.test(word)) {
			terms.push({ kind: 'mrn', key: word.replace(/[^a-z0-9]/g, '') });
			continue;
		}
		// `MRN 000123`, `MRN: 000123`: the word says what the number is, and is no name.
		if (word.replace(/[^a-z]/g, '') === 'mrn') {
			mrnWord = true;
			continue;
		}
		for (const text of word.split(/[^a-z]+/)) if (text) terms.push({ kind: 'name', text });
	}
	flushDigits();
	return terms;
}
