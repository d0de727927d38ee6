/**
 * Likely duplicate patients, and the field-by-field merge of two records.
 *
 * A front desk creates duplicates when a returning patient is not found (a typo, a married name, a
 * nickname) or two workstations register the same walk-in offline. Three signals, each cheap to index:
 *   - the same date of birth and a similar name (family names within one edit, given names sharing a
 *     prefix or an initial, or the names swapped);
 *   - a phone number in common;
 *   - an insurance member id in common (with the same payer, or any payer when the id is long).
 * The rules depend only on the records, so every workstation lists the same pairs.
 */
import { z } from 'zod';
import { recordBase, recordId } from '../common/primitives';
import { normalizePhone, type Patient } from './schemas';

export type DuplicateReason = 'name-and-birth-date' | 'phone' | 'member-id';

export interface DuplicateMatch {
	id: string;
	reasons: DuplicateReason[];
	/** Higher is more certain: name+DOB 3, member id 2, phone 1 (summed). */
	score: number;
}

export interface DuplicatePair {
	a: string;
	b: string;
	reasons: DuplicateReason[];
	score: number;
}

type Candidate = Pick<
	Patient,
	'id' | 'familyName' | 'givenName' | 'preferredName' | 'dateOfBirth' | 'phones' | 'coverages' | 'deletedAt'
>;

const WEIGHT: Record<DuplicateReason, number> = { 'name-and-birth-date': 3, 'member-id': 2, phone: 1 };

export function fold(s: string): string {
	return s
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/[^a-z]/g, '');
}

/** Damerau–Levenshtein distance of at most `max` (returns max + 1 when it is more). */
export function withinEdits(a: string, b: string, max: number): boolean {
	if (Math.abs(a.length - b.length) > max) return false;
	const prev2: number[] = [];
	let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const cur = [i];
		let rowMin = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
				v = Math.min(v, prev2[j - 2]! + 1);
			cur.push(v);
			rowMin = Math.min(rowMin, v);
		}
		if (rowMin > max) return false;
		prev2.splice(0, prev2.length, ...prev);
		prev = cur;
	}
	return prev[b.length]! <= max;
}

function givenSimilar(a: string, b: string): boolean {
	if (!a || !b) return false;
	if (a.length === 1 || b.length === 1) return a[0] === b[0];
	return a.startsWith(b) || b.startsWith(a) || withinEdits(a, b, a.length >= 6 ? 2 : 1);
}

export function similarNames(p: Candidate, q: Candidate): boolean {
	const pf = fold(p.familyName);
	const qf = fold(q.familyName);
	const pg = [fold(p.givenName), fold(p.preferredName ?? '')].filter(Boolean);
	const qg = [fold(q.givenName), fold(q.preferredName ?? '')].filter(Boolean);
	const familyClose = pf === qf || withinEdits(pf, qf, pf.length >= 5 ? 1 : 0);
	if (familyClose && pg.some((x) => qg.some((y) => givenSimilar(x, y)))) return true;
	// Family and given names entered the wrong way round.
	return fold(p.familyName) === fold(q.givenName) && fold(p.givenName) === fold(q.familyName);
}

function memberKey(id: string): string {
	return id.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

function memberKeys(p: Candidate): string[] {
	return p.coverages.map((c) => memberKey(c.memberId)).filter((k) => k.length >= 5);
}

function phoneKeys(p: Candidate): string[] {
	return [...new Set(p.phones.map((ph) => normalizePhone(ph.number)).filter((d) => d.length >= 10))];
}

/** Reasons `p` and `q` look like the same person (empty: they do not). */
export function duplicateReasons(p: Candidate, q: Candidate): DuplicateReason[] {
	if (p.id === q.id) return [];
	const out: DuplicateReason[] = [];
	if (p.dateOfBirth === q.dateOfBirth && similarNames(p, q)) out.push('name-and-birth-date');
	const qp = new Set(phoneKeys(q));
	if (phoneKeys(p).some((k) => qp.has(k))) out.push('phone');
	const qm = new Set(memberKeys(q));
	if (memberKeys(p).some((k) => qm.has(k))) out.push('member-id');
	return out;
}

/**
 * An index over many patients that answers "who might this be?" for a record being entered, and
 * lists every likely pair. Buckets by birth date, phone and member id keep it linear.
 */
export class DuplicateIndex {
	private readonly byId = new Map<string, Candidate>();
	private readonly buckets = new Map<string, Set<string>>();

	constructor(patients: Iterable<Candidate> = []) {
		for (const p of patients) this.add(p);
	}

	add(p: Candidate): void {
		if (p.deletedAt) return;
		this.byId.set(p.id, p);
		for (const k of keysOf(p)) {
			let set = this.buckets.get(k);
			if (!set) this.buckets.set(k, (set = new Set()));
			set.add(p.id);
		}
	}

	/** Existing patients `p` may duplicate, most certain first. `p` need not be in the index. */
	matches(p: Candidate): DuplicateMatch[] {
		const seen = new Set<string>();
		const out: DuplicateMatch[] = [];
		for (const k of keysOf(p)) {
			for (const id of this.buckets.get(k) ?? []) {
				if (id === p.id || seen.has(id)) continue;
				seen.add(id);
				const other = this.byId.get(id)!;
				const reasons = duplicateReasons(p, other);
				if (reasons.length) out.push({ id, reasons, score: scoreOf(reasons) });
			}
		}
		return out.sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
	}

	/** Every likely pair once (a < b), most certain first; `dismissed` keys ("a|b") are left out. */
	pairs(dismissed: ReadonlySet<string> = new Set()): DuplicatePair[] {
		const out: DuplicatePair[] = [];
		for (const p of this.byId.values()) {
			for (const m of this.matches(p)) {
				if (p.id >= m.id) continue;
				if (dismissed.has(pairKey(p.id, m.id))) continue;
				out.push({ a: p.id, b: m.id, reasons: m.reasons, score: m.score });
			}
		}
		return out.sort((x, y) => y.score - x.score || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
	}
}

export function pairKey(a: string, b: string): string {
	return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function scoreOf(reasons: DuplicateReason[]): number {
	return reasons.reduce((s, r) => s + WEIGHT[r], 0);
}

function keysOf(p: Candidate): string[] {
	const keys = [`d:${p.dateOfBirth}`];
	for (const k of phoneKeys(p)) keys.push(`p:${k}`);
	for (const k of memberKeys(p)) keys.push(`m:${k}`);
	return keys;
}

// ── Merging ───────────────────────────────────────────────────────────────────────────────────

/** The fields a merge chooses between; ids, MRN history and timestamps are handled by the merge. */
export const MERGE_FIELDS = [
	'familyName',
	'givenName',
	'middleName',
	'suffix',
	'preferredName',
	'dateOfBirth',
	'sex',
	'genderIdentity',
	'pronouns',
	'phones',
	'email',
	'address',
	'preferredLanguage',
	'emergencyContacts',
	'guardian',
	'consents',
	'privacy',
	'alerts',
	'primaryProviderId',
	'coverages'
] as const satisfies readonly (keyof Patient)[];
export type MergeField = (typeof MERGE_FIELDS)[number];

/** Lists that can sensibly be combined rather than chosen. */
export const COMBINABLE: ReadonlySet<MergeField> = new Set([
	'phones',
	'emergencyContacts',
	'consents',
	'alerts'
]);

export type MergeChoice = 'keep' | 'other' | 'both';

/** Fields whose values differ between the two records (what the merge screen asks about). */
export function differingFields(keep: Patient, other: Patient): MergeField[] {
	return MERGE_FIELDS.filter((f) => JSON.stringify(keep[f] ?? null) !== JSON.stringify(other[f] ?? null));
}

/**
 * The kept record after the merge: for each differing field the chosen side ('both' unions the
 * combinable lists, without repeats). The kept record's id and MRN stay; the other MRN is added as an
 * alert-free note in `formerMrns` by the caller if it wants to keep it.
 */
export function mergedFields(
	keep: Patient,
	other: Patient,
	choices: Partial<Record<MergeField, MergeChoice>>
): Partial<Patient> {
	const out: Partial<Record<MergeField, unknown>> = {};
	for (const f of differingFields(keep, other)) {
		const c = choices[f] ?? 'keep';
		if (c === 'keep') continue;
		if (c === 'other') out[f] = other[f];
		else if (COMBINABLE.has(f)) out[f] = union(keep[f] as unknown[], other[f] as unknown[]);
		else throw new Error(`${f} cannot be combined; choose one side`);
	}
	return out as Partial<Patient>;
}

function union<T>(a: T[] = [], b: T[] = []): T[] {
	const seen = new Set(a.map((x) => JSON.stringify(x)));
	return [...a, ...b.filter((x) => !seen.has(JSON.stringify(x)))];
}

// ── A merge as a record: reversible until someone confirms it ────────────────────────────────

/**
 * What a merge changed, kept in the kept patient's shard until confirmed: the kept record's fields as
 * they were, and which appointments and documents were moved from the other record, so "Undo"
 * restores exactly that. Holds PHI (the fields before), so it lives in the encrypted patients scope.
 */
export const patientMerge = recordBase.extend({
	keptId: recordId,
	mergedId: recordId,
	keptBefore: z.record(z.string(), z.unknown()),
	/** Fields of the kept record that were empty before (restored as empty). */
	keptCleared: z.array(z.string()).default([]),
	movedAppointments: z.array(z.object({ doc: z.string().max(40), id: recordId })).default([]),
	movedDocuments: z.array(recordId).default([]),
	status: z.enum(['pending', 'confirmed', 'undone']),
	by: z.string().min(1).max(64),
	decidedBy: z.string().max(64).optional(),
	decidedAt: z.iso.datetime({ offset: true }).optional()
});
export type PatientMerge = z.infer<typeof patientMerge>;

/** "These two are not the same person": pairs a person dismissed from the duplicates list. */
export const duplicateDismissal = recordBase.extend({
	a: recordId,
	b: recordId,
	by: z.string().min(1).max(64)
});
export type DuplicateDismissal = z.infer<typeof duplicateDismissal>;
