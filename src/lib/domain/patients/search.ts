/**
 * Patient search: an in-memory index over name parts, date of birth, MRN and phone numbers, kept up to
 * date record by record, answering each keystroke in milliseconds for 50,000 patients
 * (BENCHMARKS.md, "Patient search"). What a query means is documented in search-query.ts.
 *
 * Structure (plain maps, arrays and typed arrays; what is read for every candidate lives in typed
 * arrays indexed by a patient's slot, so that ranking thousands of candidates stays in cache):
 * - name parts: each distinct part is a term with an id and a posting list of the patients holding it
 *   (and in which fields); a patient's parts are term ids in a shared pool. The terms are also kept
 *   sorted: a prefix is a binary search, and typos are found by walking the sorted terms as if they
 *   were a trie (consecutive terms share their dynamic-programming rows, and a branch is skipped once
 *   no name in it can come within the allowed distance). So a name token is compared with the distinct
 *   terms once, never with every patient, and matching a patient is a look-up per part.
 * - dates of birth: month-and-day → patients and year → patients.
 * - MRNs: their forms (`mrn000123`, `000123`, `123`) in sorted runs, for exact numbers and prefixes.
 * - phones: every run of four digits → patients; a query's rarest run gives the candidates.
 * - per patient, the first letters of family and given name as one number, so that ranking equal
 *   scores by name compares numbers, and strings only when those letters are the same.
 *
 * A query's most selective term finds the candidates, with their scores for that term, through these
 * structures; the other terms are then scored on each candidate (`Matcher`). `searchExhaustive`
 * scores every term on every patient instead, comparing each name token with every term rather than
 * walking the trie, so tests can hold the index to the definition of a match.
 */
import { normalizePhone, type Patient } from './schemas';
import { fold, nameParts, parseQuery, type DatePattern, type QueryTerm } from './search-query';
import { commonPrefix, Damerau, endOfPrefix, lowerBound, merge, SortedKeys, TopK } from './search-structures';

export type MatchKind = 'name' | 'dob' | 'mrn' | 'phone';

export interface SearchHit {
	id: string;
	/** Higher is better; only meaningful within one query. */
	score: number;
	/** Why the patient matched: the most identifying kind of term that did (mrn > phone > dob > name). */
	matched: MatchKind;
	/** The kind each term of the query matched, in the query's order. */
	kinds: MatchKind[];
}

export interface BuildOptions {
	/**
	 * A chunk (the work between two yields) ends after this many milliseconds; default
	 * `DEFAULT_SLICE_MS`. `Infinity` makes chunks a fixed number of patients.
	 */
	sliceMs?: number;
	/** …or after this many patients, whichever comes first; default `DEFAULT_CHUNK`. */
	chunkSize?: number;
	/** Called between chunks so the caller can let the screen paint (`() => new Promise(requestAnimationFrame)`). */
	yield?: () => Promise<void>;
	/** Stops the build between chunks; the promise then rejects with the signal's reason. */
	signal?: AbortSignal;
	/** Sets the two-digit-year pivot (`3/14/19` → 2019); default this year. */
	currentYear?: number;
}

/** Scores, so that exact beats prefix beats a typo, and a family name beats a given name. */
export const SCORES = {
	nameExact: 100,
	namePrefix: 60,
	nameTypo: 40,
	nameTypo2: 30,
	nameTypoPrefix: 25,
	nameTypoPrefix2: 15,
	family: 10,
	given: 6,
	preferred: 6,
	middle: 2,
	dobExact: 100,
	dobPartial: 60,
	mrnExact: 120,
	mrnPrefix: 60,
	phoneExact: 110,
	phoneEnd: 70,
	phonePart: 50
} as const;

const FAMILY = 1;
const GIVEN = 2;
const MIDDLE = 4;
const PREFERRED = 8;
/** The bonus of a name part by the fields it occurs in (the best one counts). */
const FIELD_BONUS = Array.from({ length: 16 }, (_, f) =>
	f & FAMILY ? SCORES.family : f & GIVEN ? SCORES.given : f & PREFERRED ? SCORES.preferred : SCORES.middle
);

/** Name tokens this long or longer may have one typo; from TYPO2_MIN on, two. */
export const TYPO_MIN = 4;
export const TYPO2_MIN = 8;
/** Tokens this long or longer may also match the start of a longer name with a typo. */
export const TYPO_PREFIX_MIN = 5;
/** Longer tokens are matched exactly or as prefixes only. */
const FUZZY_MAX = 40;
/** Parts of one patient's names beyond this many are not searched. */
const MAX_PARTS = 255;
/** E.164 numbers have at most 15 digits. */
const PHONE_MAX = 15;
/** Phone numbers are indexed by every run of this many digits; shorter numbers are not searched. */
const GRAM = 4;
const SEP = '\u0001';
/**
 * How long a build works between two yields by default, and at most how many patients it indexes.
 * About 500 patients per slice on the benchmark machine once warm, fewer while the code is cold; a
 * slice then stays far enough under 50 ms to absorb a garbage collection (BENCHMARKS.md).
 */
export const DEFAULT_SLICE_MS = 10;
export const DEFAULT_CHUNK = 2000;
/** A term cache entry, and how many are kept (typing `smith j`, `smith jo`, … looks `smith` up once). */
const CACHE_SIZE = 16;

/** What is kept per patient beside the typed arrays: the fields that only some queries read. */
interface Entry {
	id: string;
	/** The MRN, then those of records merged into this one. */
	mrns: Mrn[];
	/** Digits only, without a US country code. */
	phones: string[];
	/** Folded `family SEP given`: the order of equal scores (then the id). */
	sortName: string;
}

/** An MRN's forms: `MRN-000123` → `mrn000123`, `000123`, `123`. */
interface Mrn {
	key: string;
	digits: string;
	number: string;
}

/** Everything indexed about one patient, computed before it is stored. */
interface Described {
	entry: Entry;
	parts: string[];
	fields: number[];
	dob: number;
	nameKey: number;
}

/** A name token against the terms: the score of each term id (0: no match), and the ids that match. */
interface TokenMatch {
	scores: Uint8Array;
	ids: number[];
}

/** Candidates of one term, with that term's score for each. */
interface Candidates {
	slots: Int32Array;
	scores: Int32Array;
}

function allowedTypos(length: number): number {
	return length > FUZZY_MAX ? 0 : length >= TYPO2_MIN ? 2 : length >= TYPO_MIN ? 1 : 0;
}

/** How well name token `t` matches one term, before the field bonus; 0 when it does not. */
function termScore(t: string, term: string, dl: Damerau): number {
	if (term === t) return SCORES.nameExact;
	if (term.startsWith(t)) return SCORES.namePrefix;
	const max = allowedTypos(t.length);
	if (max === 0) return 0;
	const prefixMode = t.length >= TYPO_PREFIX_MIN;
	if (term.length < t.length - max || (!prefixMode && term.length > t.length + max)) return 0;
	dl.measure(t, term, max, prefixMode);
	if (dl.full <= max) return dl.full === 1 ? SCORES.nameTypo : SCORES.nameTypo2;
	if (dl.prefix <= max) return dl.prefix === 1 ? SCORES.nameTypoPrefix : SCORES.nameTypoPrefix2;
	return 0;
}

function dateScore(date: DatePattern, dob: number): number {
	const year = Math.floor(dob / 10000);
	const month = Math.floor(dob / 100) % 100;
	if (date.month !== undefined && date.month !== month) return 0;
	if (date.day !== undefined && date.day !== dob % 100) return 0;
	const complete = date.month !== undefined && date.day !== undefined;
	if (date.years?.includes(year)) return complete ? SCORES.dobExact : SCORES.dobPartial;
	if (date.yearPrefix !== undefined) return String(year).startsWith(date.yearPrefix) ? SCORES.dobPartial : 0;
	return date.years ? 0 : SCORES.dobPartial;
}

/** Each phone takes this many bytes in the phone pool: its length, then its digits. */
const PHONE_STRIDE = PHONE_MAX + 1;

/** Typed digits as bytes, for comparing with the phone pool without touching strings. */
class DigitRun {
	readonly digits: Uint8Array;
	constructor(text: string) {
		this.digits = Uint8Array.from(text, (c) => c.charCodeAt(0) - 48);
	}
}

/** How the phone at `base` in `pool` contains `run`: exactly, at its end, inside, or not (0). */
function phoneRunScore(pool: Uint8Array, base: number, run: DigitRun): number {
	const length = pool[base]!;
	const digits = run.digits;
	const k = digits.length;
	if (k > length) return 0;
	// Try the alignment at the end first: it decides exact and end matches.
	let best = 0;
	for (let o = length - k; o >= 0; o--) {
		let i = 0;
		while (i < k && pool[base + 1 + o + i] === digits[i]) i++;
		if (i < k) continue;
		if (o === length - k) return k === length ? SCORES.phoneExact : SCORES.phoneEnd;
		best = SCORES.phonePart;
		break;
	}
	return best;
}

/** The distinct runs of GRAM digits in `digits`, as numbers. */
function gramsOf(digits: string, into: number[] = []): number[] {
	for (let i = 0; i + GRAM <= digits.length; i++) {
		let g = 0;
		for (let k = i; k < i + GRAM; k++) g = g * 10 + digits.charCodeAt(k) - 48;
		if (!into.includes(g)) into.push(g);
	}
	return into;
}

function grow<T extends Int32Array | Uint8Array | Uint32Array | Float64Array>(array: T, size: number): T {
	if (array.length >= size) return array;
	const grown = new (array.constructor as new (n: number) => T)(Math.max(size, array.length * 2));
	grown.set(array);
	return grown;
}

/**
 * One query term compiled for scoring a patient by slot: 0 when it does not match; `kind` tells what
 * matched. Classes rather than closures: a closure made per query is a new call target on every
 * keystroke, which makes V8 throw away the optimised ranking loop each time.
 */
interface Matcher {
	kind: MatchKind;
	score(slot: number): number;
}

/** What matchers read, per slot (typed arrays) and in the pools; arrays are replaced as they grow. */
interface Store {
	entries: (Entry | undefined)[];
	dobOf: Int32Array;
	phoneStart: Int32Array;
	phoneCount: Uint8Array;
	/** PHONE_STRIDE bytes per phone: length, then digits. */
	phoneDigits: Uint8Array;
	partStart: Int32Array;
	partCount: Uint8Array;
	partTerm: Int32Array;
	partField: Uint8Array;
}

class NameMatcher implements Matcher {
	kind: MatchKind = 'name';
	constructor(
		private readonly store: Store,
		/** Score of the token against each term id (0: no match). */
		private readonly scores: Uint8Array
	) {}

	score(slot: number): number {
		const { partStart, partCount, partTerm, partField } = this.store;
		const scores = this.scores;
		const start = partStart[slot]!;
		const end = start + partCount[slot]!;
		let best = 0;
		for (let p = start; p < end; p++) {
			const base = scores[partTerm[p]!]!;
			if (base === 0) continue;
			const s = base + FIELD_BONUS[partField[p]!]!;
			if (s > best) best = s;
		}
		return best;
	}
}

/** Best phone score of patient `slot` for either reading of the typed digits. */
function slotPhoneScore(store: Store, slot: number, phone: DigitRun, digits: DigitRun): number {
	const pool = store.phoneDigits;
	const start = store.phoneStart[slot]!;
	const end = start + store.phoneCount[slot]!;
	let best = 0;
	for (let i = start; i < end; i++) {
		const base = i * PHONE_STRIDE;
		let s = phoneRunScore(pool, base, phone);
		if (digits !== phone && s < SCORES.phoneExact) s = Math.max(s, phoneRunScore(pool, base, digits));
		if (s > best) best = s;
	}
	return best;
}

class DigitsMatcher implements Matcher {
	kind: MatchKind = 'mrn';
	private readonly d: string;
	private readonly phone: DigitRun;
	private readonly digits: DigitRun;
	private readonly number: string;
	private readonly long: boolean;
	private readonly phones: boolean;
	private readonly date: DatePattern | undefined;

	constructor(
		private readonly store: Store,
		term: Extract<QueryTerm, { kind: 'digits' }>
	) {
		this.d = term.digits;
		this.digits = new DigitRun(term.digits);
		this.phone = term.phone === term.digits ? this.digits : new DigitRun(term.phone);
		this.number = term.digits.replace(/^0+/, '');
		this.long = term.digits.length >= GRAM;
		this.phones = this.long && !term.mrnOnly;
		this.date = term.date;
	}

	score(slot: number): number {
		const e = this.store.entries[slot]!;
		let best = 0;
		let kind: MatchKind = 'mrn';
		for (const mrn of e.mrns) {
			if (this.number && mrn.number === this.number) best = SCORES.mrnExact;
			else if (this.long && best === 0 && (mrn.digits.startsWith(this.d) || mrn.number.startsWith(this.d)))
				best = SCORES.mrnPrefix;
		}
		if (this.phones) {
			const s = slotPhoneScore(this.store, slot, this.phone, this.digits);
			if (s > best) {
				best = s;
				kind = 'phone';
			}
		}
		if (this.date) {
			const s = dateScore(this.date, this.store.dobOf[slot]!);
			if (s > best) {
				best = s;
				kind = 'dob';
			}
		}
		this.kind = kind;
		return best;
	}
}

class DateMatcher implements Matcher {
	kind: MatchKind = 'dob';
	constructor(
		private readonly store: Store,
		private readonly date: DatePattern
	) {}
	score(slot: number): number {
		return dateScore(this.date, this.store.dobOf[slot]!);
	}
}

class MrnMatcher implements Matcher {
	kind: MatchKind = 'mrn';
	constructor(
		private readonly store: Store,
		private readonly key: string
	) {}
	score(slot: number): number {
		let best = 0;
		for (const { key } of this.store.entries[slot]!.mrns) {
			if (key === this.key) return SCORES.mrnExact;
			if (key.startsWith(this.key)) best = SCORES.mrnPrefix;
		}
		return best;
	}
}

/**
 * Gathers candidates once each with their best score, into the index's scratch arrays, using stamps
 * instead of a Set per query.
 */
class Collector {
	private n = 0;
	constructor(
		private readonly seen: Uint32Array,
		private readonly at: Int32Array,
		private readonly stamp: number,
		private readonly slots: Int32Array,
		private readonly scores: Int32Array
	) {}

	take(slot: number, score: number): void {
		if (this.seen[slot] !== this.stamp) {
			this.seen[slot] = this.stamp;
			this.at[slot] = this.n;
			this.slots[this.n] = slot;
			this.scores[this.n++] = score;
		} else if (score > this.scores[this.at[slot]!]!) this.scores[this.at[slot]!] = score;
	}

	/** What was gathered, copied out of the scratch arrays. */
	result(): Candidates {
		return { slots: this.slots.slice(0, this.n), scores: this.scores.slice(0, this.n) };
	}
}

/** Which terms to try first as the source of candidates: lower is likely more selective. */
function selectivityGuess(term: QueryTerm): number {
	switch (term.kind) {
		case 'never':
			return 0;
		case 'mrn':
			return 1;
		case 'date':
			return term.date.day !== undefined && term.date.years && !term.date.yearPrefix ? 1 : 6;
		case 'digits':
			return term.digits.length >= 7 ? 2 : term.digits.length >= GRAM ? 5 : 3;
		case 'name':
			return term.text.length >= 3 ? 4 - term.text.length / 100 : 7;
	}
}

const KIND_RANK: Record<MatchKind, number> = { name: 0, dob: 1, phone: 2, mrn: 3 };

export class PatientIndex {
	private readonly store: Store = {
		entries: [],
		dobOf: new Int32Array(1024),
		partStart: new Int32Array(1024),
		partCount: new Uint8Array(1024),
		// A patient's name parts: term ids and field bits, from partStart for partCount.
		partTerm: new Int32Array(4096),
		partField: new Uint8Array(4096),
		// A patient's phones, PHONE_STRIDE bytes each, from phoneStart for phoneCount.
		phoneStart: new Int32Array(1024),
		phoneCount: new Uint8Array(1024),
		phoneDigits: new Uint8Array(2048 * PHONE_STRIDE)
	};
	/** Bumped each time a slot is (re)indexed, so the MRN runs can tell stale keys from current ones. */
	private gens: number[] = [];
	/** The record each slot was indexed from: updating with the very same object is free. */
	private sources: (Patient | undefined)[] = [];
	private readonly slotOf = new Map<string, number>();
	private readonly free: number[] = [];
	private nameKeyOf = new Float64Array(1024);
	private poolLength = 0;
	private phonePoolLength = 0;
	/** Pool entries left behind by removed and re-indexed patients. */
	private poolGarbage = 0;
	// Terms.
	private readonly termIds = new Map<string, number>();
	private termText: string[] = [];
	/** Per term id: `slot * 16 + fields` of every patient holding it. */
	private postings: number[][] = [];
	private readonly freeTermIds: number[] = [];
	/** The live terms, sorted, except those still in `newTerms`. */
	private sortedTerms: string[] = [];
	private newTerms: string[] = [];
	// Dates, MRNs, phones.
	private readonly byMonthDay = new Map<number, number[]>();
	private readonly byYear = new Map<number, number[]>();
	private readonly mrnForms = new SortedKeys();
	private readonly phoneGrams: (number[] | undefined)[] = new Array<number[] | undefined>(10 ** GRAM);
	// Query scratch.
	private readonly damerau = new Damerau();
	private seen = new Uint32Array(1024);
	private at = new Int32Array(1024);
	private scratchSlots = new Int32Array(1024);
	private scratchScores = new Int32Array(1024);
	private stamp = 0;
	private readonly candidateCache = new Map<string, Candidates>();
	private readonly tokenCache = new Map<string, TokenMatch>();
	private readonly currentYear: number;

	constructor(options: { currentYear?: number } = {}) {
		this.currentYear = options.currentYear ?? new Date().getFullYear();
	}

	/**
	 * Indexes `patients` a slice at a time (see `BuildOptions`), settling the sorted structures after
	 * each slice and yielding between slices, so that no step holds the thread for long.
	 */
	static async build(patients: Iterable<Patient>, options: BuildOptions = {}): Promise<PatientIndex> {
		const index = new PatientIndex(options);
		const chunk = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
		const sliceMs = options.sliceMs ?? DEFAULT_SLICE_MS;
		let n = 0;
		let started = performance.now();
		for (const p of patients) {
			index.add(p);
			n++;
			// The clock is read every 32 patients (well under a millisecond of work).
			if (n < chunk && (n % 32 !== 0 || performance.now() - started < sliceMs)) continue;
			index.settle();
			if (options.yield) await options.yield();
			options.signal?.throwIfAborted();
			n = 0;
			started = performance.now();
		}
		index.settle();
		return index;
	}

	/** Number of indexed (not deleted) patients. */
	get size(): number {
		return this.slotOf.size;
	}

	has(id: string): boolean {
		return this.slotOf.has(id);
	}

	/** Indexes a patient, replacing what was indexed under its id; a deleted one is removed instead. */
	add(p: Patient): void {
		this.update(p);
	}

	/**
	 * Same as `add`. Does nothing when no searchable field changed (most sync edits), and at once when
	 * given the very object it last indexed for that id: records are treated as immutable values.
	 */
	update(p: Patient): void {
		if (p.deletedAt) {
			this.remove(p.id);
			return;
		}
		const slot = this.slotOf.get(p.id);
		if (slot !== undefined && this.sources[slot] === p) return;
		const next = describe(p);
		if (slot !== undefined) {
			this.sources[slot] = p;
			if (this.unchanged(slot, next)) return;
			this.unindex(slot);
			this.index(slot, next);
		} else {
			const fresh = this.free.pop() ?? this.store.entries.length;
			this.slotOf.set(p.id, fresh);
			this.sources[fresh] = p;
			this.index(fresh, next);
		}
		this.forget();
	}

	/** Removes a patient; false when the id was not indexed. */
	remove(id: string): boolean {
		const slot = this.slotOf.get(id);
		if (slot === undefined) return false;
		this.unindex(slot);
		this.store.entries[slot] = undefined;
		this.sources[slot] = undefined;
		this.slotOf.delete(id);
		this.free.push(slot);
		this.forget();
		return true;
	}

	/**
	 * Brings the sorted structures up to date with the changes since the last call. Searches do this
	 * themselves; `build` does it after every chunk so that no search pays for a whole build's worth.
	 */
	settle(): void {
		this.settleTerms();
		this.mrnForms.settle((slot, gen) => this.gens[slot] === gen && this.store.entries[slot] !== undefined);
		if (this.poolGarbage > 4096 && this.poolGarbage * 2 > this.poolLength + this.phonePoolLength)
			this.compactPools();
	}

	/** The best `limit` patients for `query`, best first; none for an empty query. */
	search(query: string, limit = 50): SearchHit[] {
		const terms = parseQuery(query, this.currentYear);
		if (terms.length === 0 || terms.some((t) => t.kind === 'never')) return [];
		this.settle();
		const matchers = terms.map((t) => this.matcher(t, false));
		const { driver, found } = this.driverFor(terms);
		return this.rank(matchers, driver, found, limit);
	}

	/**
	 * `search` without the index: every term scored on every patient, and each name token compared with
	 * every term. For tests and for measuring the index.
	 */
	searchExhaustive(query: string, limit = 50): SearchHit[] {
		const terms = parseQuery(query, this.currentYear);
		if (terms.length === 0 || terms.some((t) => t.kind === 'never')) return [];
		this.settle();
		const matchers = terms.map((t) => this.matcher(t, true));
		const slots: number[] = [];
		this.store.entries.forEach((e, slot) => e && slots.push(slot));
		const all: Candidates = { slots: Int32Array.from(slots), scores: new Int32Array(slots.length) };
		return this.rank(matchers, -1, all, limit);
	}

	// ---- indexing -------------------------------------------------------------------------------------

	private forget(): void {
		this.candidateCache.clear();
		this.tokenCache.clear();
	}

	private unchanged(slot: number, next: Described): boolean {
		const e = this.store.entries[slot]!;
		const start = this.store.partStart[slot]!;
		return (
			this.store.dobOf[slot] === next.dob &&
			e.mrns.length === next.entry.mrns.length &&
			e.mrns.every((mrn, i) => mrn.key === next.entry.mrns[i]!.key) &&
			e.sortName === next.entry.sortName &&
			this.store.partCount[slot] === next.parts.length &&
			next.parts.every(
				(part, i) =>
					this.termText[this.store.partTerm[start + i]!] === part &&
					this.store.partField[start + i] === next.fields[i]
			) &&
			e.phones.length === next.entry.phones.length &&
			e.phones.every((ph, i) => ph === next.entry.phones[i])
		);
	}

	private index(slot: number, d: Described): void {
		const e = d.entry;
		this.store.entries[slot] = e;
		const gen = (this.gens[slot] ?? 0) + 1;
		this.gens[slot] = gen;
		const size = slot + 1;
		this.store.dobOf = grow(this.store.dobOf, size);
		this.nameKeyOf = grow(this.nameKeyOf, size);
		this.store.partStart = grow(this.store.partStart, size);
		this.store.partCount = grow(this.store.partCount, size);
		this.store.phoneStart = grow(this.store.phoneStart, size);
		this.store.phoneCount = grow(this.store.phoneCount, size);
		this.seen = grow(this.seen, size);
		this.at = grow(this.at, size);
		this.scratchSlots = grow(this.scratchSlots, size);
		this.scratchScores = grow(this.scratchScores, size);
		this.store.dobOf[slot] = d.dob;
		this.nameKeyOf[slot] = d.nameKey;

		const count = Math.min(d.parts.length, MAX_PARTS);
		this.store.partTerm = grow(this.store.partTerm, this.poolLength + count);
		this.store.partField = grow(this.store.partField, this.poolLength + count);
		this.store.partStart[slot] = this.poolLength;
		this.store.partCount[slot] = count;
		for (let i = 0; i < count; i++) {
			const id = this.termFor(d.parts[i]!);
			this.store.partTerm[this.poolLength] = id;
			this.store.partField[this.poolLength] = d.fields[i]!;
			this.poolLength++;
			this.postings[id]!.push(slot * 16 + d.fields[i]!);
		}

		this.store.phoneDigits = grow(
			this.store.phoneDigits,
			(this.phonePoolLength + e.phones.length) * PHONE_STRIDE
		);
		this.store.phoneStart[slot] = this.phonePoolLength;
		this.store.phoneCount[slot] = e.phones.length;
		for (const ph of e.phones) {
			const base = this.phonePoolLength++ * PHONE_STRIDE;
			this.store.phoneDigits[base] = ph.length;
			for (let i = 0; i < ph.length; i++) this.store.phoneDigits[base + 1 + i] = ph.charCodeAt(i) - 48;
		}

		addTo(this.byMonthDay, d.dob % 10000, slot);
		addTo(this.byYear, Math.floor(d.dob / 10000), slot);
		for (const form of mrnFormsOf(e)) this.mrnForms.add(form, slot, gen);
		for (const g of phoneGramsOf(e)) (this.phoneGrams[g] ??= []).push(slot);
	}

	private termFor(text: string): number {
		const known = this.termIds.get(text);
		if (known !== undefined) return known;
		const id = this.freeTermIds.pop() ?? this.termText.length;
		this.termIds.set(text, id);
		this.termText[id] = text;
		this.postings[id] = [];
		this.newTerms.push(text);
		return id;
	}

	private unindex(slot: number): void {
		const e = this.store.entries[slot]!;
		const start = this.store.partStart[slot]!;
		const end = start + this.store.partCount[slot]!;
		for (let p = start; p < end; p++) {
			const id = this.store.partTerm[p]!;
			const list = this.postings[id]!;
			dropFrom(list, slot * 16 + this.store.partField[p]!);
			if (list.length > 0) continue;
			const text = this.termText[id]!;
			this.termIds.delete(text);
			this.termText[id] = '';
			this.freeTermIds.push(id);
			const at = lowerBound(this.sortedTerms, text);
			if (this.sortedTerms[at] === text) this.sortedTerms.splice(at, 1);
		}
		this.poolGarbage += end - start + this.store.phoneCount[slot]!;
		const dob = this.store.dobOf[slot]!;
		removeFrom(this.byMonthDay, dob % 10000, slot);
		removeFrom(this.byYear, Math.floor(dob / 10000), slot);
		this.mrnForms.invalidate();
		for (const g of phoneGramsOf(e)) {
			const list = this.phoneGrams[g]!;
			dropFrom(list, slot);
			if (list.length === 0) this.phoneGrams[g] = undefined;
		}
	}

	/** Rewrites the parts and phone pools without what removed and re-indexed patients left there. */
	private compactPools(): void {
		const terms = new Int32Array(this.store.partTerm.length);
		const fields = new Uint8Array(terms.length);
		const phoneDigits = new Uint8Array(this.store.phoneDigits.length);
		let n = 0;
		let m = 0;
		this.store.entries.forEach((e, slot) => {
			if (!e) return;
			const start = this.store.partStart[slot]!;
			const count = this.store.partCount[slot]!;
			terms.set(this.store.partTerm.subarray(start, start + count), n);
			fields.set(this.store.partField.subarray(start, start + count), n);
			this.store.partStart[slot] = n;
			n += count;
			const from = this.store.phoneStart[slot]!;
			const phones = this.store.phoneCount[slot]!;
			phoneDigits.set(
				this.store.phoneDigits.subarray(from * PHONE_STRIDE, (from + phones) * PHONE_STRIDE),
				m * PHONE_STRIDE
			);
			this.store.phoneStart[slot] = m;
			m += phones;
		});
		this.store.partTerm = terms;
		this.store.partField = fields;
		this.poolLength = n;
		this.store.phoneDigits = phoneDigits;
		this.phonePoolLength = m;
		this.poolGarbage = 0;
	}

	private settleTerms(): void {
		if (this.newTerms.length === 0) return;
		const added = this.newTerms.filter((t) => this.termIds.has(t)).sort();
		this.newTerms = [];
		// A term removed and added again before settling is listed twice.
		const unique = added.filter((t, i) => t !== added[i - 1]);
		if (unique.length < 32) {
			for (const t of unique) this.sortedTerms.splice(lowerBound(this.sortedTerms, t), 0, t);
		} else this.sortedTerms = merge(this.sortedTerms, unique, (a, b) => a < b);
	}

	// ---- candidates -----------------------------------------------------------------------------------

	/** The term whose candidates are fewest (trying likely-selective terms first), and those candidates. */
	private driverFor(terms: QueryTerm[]): { driver: number; found: Candidates } {
		const order = terms
			.map((term, i) => ({ term, i, guess: selectivityGuess(term) }))
			.sort((a, b) => a.guess - b.guess || a.i - b.i);
		let driver = -1;
		let found: Candidates | undefined;
		for (const { term, i } of order) {
			const next = this.candidates(term);
			if (!found || next.slots.length < found.slots.length) {
				found = next;
				driver = i;
			}
			if (found.slots.length <= 300) break;
		}
		return { driver, found: found! };
	}

	/** Every patient matching `term`, each with its score for that term. */
	private candidates(term: QueryTerm): Candidates {
		const key = JSON.stringify(term);
		const cached = this.candidateCache.get(key);
		if (cached) return cached;
		if (++this.stamp === 0xffffffff) {
			this.seen.fill(0);
			this.stamp = 1;
		}
		const into = new Collector(this.seen, this.at, this.stamp, this.scratchSlots, this.scratchScores);
		switch (term.kind) {
			case 'name': {
				const { scores, ids } = this.tokenMatch(term.text, false);
				for (const id of ids) {
					const base = scores[id]!;
					for (const v of this.postings[id]!) into.take(v >>> 4, base + FIELD_BONUS[v & 15]!);
				}
				break;
			}
			case 'date':
				this.dateCandidates(term.date, into);
				break;
			case 'digits': {
				const number = term.digits.replace(/^0+/, '');
				// Only an MRN's number can equal a number without leading zeros (see mrnFormsOf).
				if (number) this.mrnForms.withKey(number, into, SCORES.mrnExact);
				if (term.digits.length >= GRAM) {
					this.mrnForms.withPrefix(term.digits, into, SCORES.mrnPrefix, SCORES.mrnPrefix);
					if (!term.mrnOnly) {
						const digits = new DigitRun(term.digits);
						const phone = term.phone === term.digits ? digits : new DigitRun(term.phone);
						this.phoneCandidates(term.phone, phone, digits, into);
						if (term.phone !== term.digits) this.phoneCandidates(term.digits, phone, digits, into);
					}
				}
				if (term.date) this.dateCandidates(term.date, into);
				break;
			}
			case 'mrn':
				this.mrnForms.withPrefix(term.key, into, SCORES.mrnExact, SCORES.mrnPrefix);
				break;
		}
		const found = into.result();
		this.remember(this.candidateCache, key, found);
		return found;
	}

	private remember<T>(cache: Map<string, T>, key: string, value: T): void {
		cache.set(key, value);
		if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
	}

	/** How name token `t` matches the terms: found by walking the trie, or by trying every term (`all`). */
	private tokenMatch(t: string, all: boolean): TokenMatch {
		const key = (all ? '*' : '') + t;
		const cached = this.tokenCache.get(key);
		if (cached) return cached;
		const scores = new Uint8Array(this.termText.length);
		const ids: number[] = [];
		const score = (text: string, id: number) => {
			const s = termScore(t, text, this.damerau);
			if (s === 0) return;
			scores[id] = s;
			ids.push(id);
		};
		if (all) this.termText.forEach((text, id) => text && score(text, id));
		else for (const text of this.matchingTerms(t)) score(text, this.termIds.get(text)!);
		const found = { scores, ids };
		this.remember(this.tokenCache, key, found);
		return found;
	}

	/** Patients with a phone containing `needle`, found through its rarest run of four digits. */
	private phoneCandidates(needle: string, phone: DigitRun, digits: DigitRun, into: Collector): void {
		let rarest: readonly number[] | undefined;
		for (const g of gramsOf(needle)) {
			const list = this.phoneGrams[g];
			if (!list) return;
			if (!rarest || list.length < rarest.length) rarest = list;
		}
		for (const slot of rarest ?? []) {
			const s = slotPhoneScore(this.store, slot, phone, digits);
			if (s > 0) into.take(slot, s);
		}
	}

	private dateCandidates(date: DatePattern, into: Collector): void {
		const take = (list: readonly number[] | undefined) => {
			for (const slot of list ?? []) {
				const s = dateScore(date, this.store.dobOf[slot]!);
				if (s > 0) into.take(slot, s);
			}
		};
		if (date.month !== undefined && date.day !== undefined)
			take(this.byMonthDay.get(date.month * 100 + date.day));
		else if (date.years && !date.yearPrefix) for (const y of date.years) take(this.byYear.get(y));
		else if (date.month !== undefined)
			for (let day = 1; day <= 31; day++) take(this.byMonthDay.get(date.month * 100 + day));
		else for (const list of this.byYear.values()) take(list);
	}

	/** Every indexed term that name token `t` matches (see `termScore`). */
	private matchingTerms(t: string): string[] {
		const sorted = this.sortedTerms;
		const out: string[] = [];
		const start = lowerBound(sorted, t);
		const prefixEnd = endOfPrefix(sorted, t, start);
		for (let i = start; i < prefixEnd; i++) out.push(sorted[i]!);
		const max = allowedTypos(t.length);
		if (max === 0) return out;
		const prefixMode = t.length >= TYPO_PREFIX_MIN;
		const dl = this.damerau;
		dl.reset(t, max);
		// Walk the sorted terms like a trie: rows 1..depth hold the first `depth` letters of `path`.
		let path = '';
		let depth = 0;
		let i = 0;
		while (i < sorted.length) {
			if (i === start && prefixEnd > start) {
				i = prefixEnd; // taken above
				continue;
			}
			const s = sorted[i]!;
			let j = Math.min(depth, commonPrefix(path, s));
			const limit = Math.min(s.length, t.length + max);
			let next = i + 1;
			let accepted = false;
			while (j < limit) {
				j++;
				if (dl.row(t, s, j) > max) {
					// No name starting with these j letters can come within `max`.
					next = endOfPrefix(sorted, s.slice(0, j), i + 1);
					break;
				}
				if (prefixMode && j >= t.length && dl.last(j) <= max) {
					// Every name starting with these j letters matches as a prefix with a typo.
					next = endOfPrefix(sorted, s.slice(0, j), i + 1);
					for (let k = i; k < next; k++) if (k < start || k >= prefixEnd) out.push(sorted[k]!);
					accepted = true;
					break;
				}
			}
			path = s;
			depth = j;
			if (!accepted && j === s.length && s.length <= t.length + max && dl.last(j) <= max) out.push(s);
			i = next;
		}
		return out;
	}

	// ---- ranking --------------------------------------------------------------------------------------

	private matcher(term: QueryTerm, exhaustive: boolean): Matcher {
		switch (term.kind) {
			case 'name':
				return new NameMatcher(this.store, this.tokenMatch(term.text, exhaustive).scores);
			case 'digits':
				return new DigitsMatcher(this.store, term);
			case 'date':
				return new DateMatcher(this.store, term.date);
			case 'mrn':
				return new MrnMatcher(this.store, term.key);
			case 'never':
				return new DateMatcher(this.store, { years: [] });
		}
	}

	/**
	 * The best `limit` of `found`, which all match term `driver` with the scores given; the other
	 * terms are scored here (all of them when `driver` is -1).
	 */
	private rank(matchers: Matcher[], driver: number, found: Candidates, limit: number): SearchHit[] {
		const entries = this.store.entries;
		const nameKeyOf = this.nameKeyOf;
		const top = new TopK(limit, (a, b) => {
			const ea = entries[a]!;
			const eb = entries[b]!;
			return ea.sortName < eb.sortName || (ea.sortName === eb.sortName && ea.id < eb.id);
		});
		const others = matchers.filter((_, i) => i !== driver);
		const n = others.length;
		const { slots, scores } = found;
		next: for (let c = 0; c < slots.length; c++) {
			const slot = slots[c]!;
			let score = scores[c]!;
			for (let m = 0; m < n; m++) {
				const s = others[m]!.score(slot);
				if (s === 0) continue next;
				score += s;
			}
			top.offer(score, nameKeyOf[slot]!, slot);
		}
		return hitsOf(top, matchers, entries);
	}
}

/**
 * The kept candidates as hits. Apart from `rank`, so that what varies here from query to query (which
 * matcher classes are in the list) cannot make V8 drop `rank`'s optimised loop.
 */
function hitsOf(top: TopK, matchers: Matcher[], entries: readonly (Entry | undefined)[]): SearchHit[] {
	return top.sorted().map(({ score, slot }) => {
		const kinds = matchers.map((m) => {
			m.score(slot);
			return m.kind;
		});
		const matched = kinds.reduce((a, b) => (KIND_RANK[b] > KIND_RANK[a] ? b : a));
		return { id: entries[slot]!.id, score, matched, kinds };
	});
}

const PLAIN_NAME = /^[A-Za-z]+$/;

/** `nameParts` with a fast path for the common one-word ASCII name. */
function partsOf(name: string | undefined): string[] {
	if (!name) return [];
	return PLAIN_NAME.test(name) ? [name.toLowerCase()] : nameParts(name);
}

function foldName(name: string): string {
	return PLAIN_NAME.test(name) ? name.toLowerCase() : fold(name);
}

const NOT_ALNUM = /[^a-z0-9]/g;
const NOT_DIGIT = /\D/g;

/** `yyyy-mm-dd` as yyyymmdd. */
function dobNumber(iso: string): number {
	let n = 0;
	for (let i = 0; i < iso.length; i++) {
		const c = iso.charCodeAt(i);
		if (c >= 48 && c <= 57) n = n * 10 + c - 48;
	}
	return n;
}

function describe(p: Patient): Described {
	const parts: string[] = [];
	const fields: number[] = [];
	const put = (name: string | undefined, field: number) => {
		for (const part of partsOf(name)) {
			const i = parts.indexOf(part);
			if (i === -1) {
				parts.push(part);
				fields.push(field);
			} else fields[i]! |= field;
		}
	};
	put(p.familyName, FAMILY);
	put(p.givenName, GIVEN);
	put(p.middleName, MIDDLE);
	put(p.suffix, MIDDLE);
	put(p.preferredName, PREFERRED);
	const mrns = [p.mrn, ...(p.otherMrns ?? [])].map((text): Mrn => {
		const key = fold(text).replace(NOT_ALNUM, '');
		const digits = key.replace(NOT_DIGIT, '');
		return { key, digits, number: digits.replace(/^0+/, '') };
	});
	const sortName = foldName(p.familyName) + SEP + foldName(p.givenName);
	const phones: string[] = [];
	for (const ph of p.phones) {
		const digits = normalizePhone(ph.number).slice(0, PHONE_MAX);
		if (digits && !phones.includes(digits)) phones.push(digits);
	}
	return {
		entry: {
			id: p.id,
			mrns,
			phones,
			sortName
		},
		parts,
		fields,
		dob: dobNumber(p.dateOfBirth),
		nameKey: nameKey(sortName)
	};
}

/**
 * The first 10 characters of a folded name as a base-29 number that sorts like the string: SEP is 0,
 * other characters below `a` 1, `a`–`z` 2–27, anything above `z` 28. The key stops after a 1 or a 28
 * (those stand for several characters), so equal keys only mean "compare the strings".
 */
export function nameKey(name: string): number {
	let key = 0;
	let i = 0;
	for (; i < 10 && i < name.length; i++) {
		const c = name.charCodeAt(i);
		const d = c === 1 ? 0 : c < 97 ? 1 : c <= 122 ? c - 95 : 28;
		key = key * 29 + d;
		if (d === 1 || d === 28) {
			i++;
			break;
		}
	}
	for (; i < 10; i++) key *= 29;
	return key;
}

/** The distinct forms of every MRN of a patient (a number never has leading zeros; a key may). */
function mrnFormsOf(e: Entry): string[] {
	const forms: string[] = [];
	for (const { key, digits, number } of e.mrns)
		for (const form of [key, digits, number]) if (form && !forms.includes(form)) forms.push(form);
	return forms;
}

function phoneGramsOf(e: Entry): number[] {
	const grams: number[] = [];
	for (const ph of e.phones) gramsOf(ph, grams);
	return grams;
}

function addTo<K>(map: Map<K, number[]>, key: K, slot: number): void {
	const list = map.get(key);
	if (list) list.push(slot);
	else map.set(key, [slot]);
}

function removeFrom<K>(map: Map<K, number[]>, key: K, slot: number): void {
	const list = map.get(key);
	if (!list) return;
	dropFrom(list, slot);
	if (list.length === 0) map.delete(key);
}

/** Removes one `value` from an unordered list. */
function dropFrom(list: number[], value: number): void {
	const i = list.lastIndexOf(value);
	if (i === -1) return;
	list[i] = list[list.length - 1]!;
	list.pop();
}
