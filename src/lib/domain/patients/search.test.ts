import { describe, expect, it } from 'vitest';
import { generateDemoClinic } from '../demo';
import { Rng } from '../demo/rng';
import { patientFields, type Patient } from './schemas';
import { nameKey, PatientIndex, SCORES } from './search';
import { fold, nameParts, parseQuery } from './search-query';

const YEAR = 2026;
let counter = 0;

/** A valid patient (defaults from the schema) with the given fields; `phone` is one number or several. */
function patient(over: Partial<Patient> & { phone?: string | string[] }): Patient {
	counter++;
	const { phone, ...rest } = over;
	const numbers = phone === undefined ? [] : Array.isArray(phone) ? phone : [phone];
	return patientFields.parse({
		id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
		createdAt: '2026-01-01T00:00:00.000Z',
		updatedAt: '2026-01-01T00:00:00.000Z',
		mrn: `MRN-${String(900000 + counter)}`,
		familyName: 'Placeholder',
		givenName: 'Pat',
		dateOfBirth: '1960-01-01',
		phones: numbers.map((number, i) => ({ type: 'mobile', number, primary: i === 0 })),
		...rest
	});
}

const john = patient({
	familyName: 'Smith',
	givenName: 'John',
	dateOfBirth: '1975-03-14',
	mrn: 'MRN-000123',
	phone: '(312) 555-0187'
});
const jane = patient({
	familyName: 'Smith',
	givenName: 'Jane',
	dateOfBirth: '1980-07-02',
	mrn: 'MRN-000124'
});
const smithson = patient({ familyName: 'Smithson', givenName: 'Alan', dateOfBirth: '1975-04-13' });
const schmidt = patient({ familyName: 'Schmidt', givenName: 'Karl', dateOfBirth: '1950-11-30' });
const william = patient({
	familyName: 'Smith',
	givenName: 'William',
	preferredName: 'Bill',
	dateOfBirth: '1975-03-14',
	phone: ['773-555-0142', '+1 (630) 555-0199']
});
const jose = patient({
	familyName: 'Muñoz',
	givenName: 'José',
	middleName: 'Luis',
	dateOfBirth: '2019-03-14'
});
const joseAscii = patient({ familyName: 'Munoz', givenName: 'Jose', dateOfBirth: '1919-03-14' });
const obrien = patient({ familyName: "O'Brien-Walsh", givenName: 'Siobhan', dateOfBirth: '1988-12-01' });
const jordanFamily = patient({ familyName: 'Jordan', givenName: 'Zed' });
const jordanGiven = patient({ familyName: 'Abbott', givenName: 'Jordan' });
const smitty = patient({ familyName: 'Adams', givenName: 'Smitty' });
const gone = patient({
	familyName: 'Smith',
	givenName: 'Deleted',
	deletedAt: '2026-02-01T00:00:00.000Z',
	dateOfBirth: '1975-03-14'
});
const everyone = [
	john,
	jane,
	smithson,
	schmidt,
	william,
	jose,
	joseAscii,
	obrien,
	jordanFamily,
	jordanGiven,
	smitty,
	gone
];

function build(patients: Patient[] = everyone): PatientIndex {
	const index = new PatientIndex({ currentYear: YEAR });
	for (const p of patients) index.add(p);
	return index;
}

const ids = (index: PatientIndex, query: string, limit?: number) =>
	index.search(query, limit).map((h) => h.id);
const first = (index: PatientIndex, query: string) => index.search(query)[0]?.id;

describe('query understanding', () => {
	it('folds case and diacritics', () => {
		expect(fold('José MUÑOZ Ångström Straße Łódź')).toBe('jose munoz angstrom strasse lodz');
	});

	it('splits names into parts, keeping apostrophe names whole and in pieces', () => {
		expect(nameParts("O'Brien-Walsh")).toEqual(['obrien', 'brien', 'walsh']);
		expect(nameParts('Mary Ann')).toEqual(['mary', 'ann']);
		expect(nameParts(undefined)).toEqual([]);
	});

	it('reads US dates, ISO dates and unpunctuated dates', () => {
		const date = (q: string) => parseQuery(q, YEAR)[0];
		const march14 = { kind: 'date', date: { month: 3, day: 14, years: [1975] } };
		expect(date('3/14/1975')).toEqual(march14);
		expect(date('03/14/1975')).toEqual(march14);
		expect(date('3-14-1975')).toEqual(march14);
		expect(date('1975-03-14')).toEqual(march14);
		expect(date('1975/3/14')).toEqual(march14);
		expect(date('3/14/75')).toEqual({
			kind: 'date',
			date: { month: 3, day: 14, years: [1975], yearPrefix: '75' }
		});
		expect(date('3/14/19')).toEqual({
			kind: 'date',
			date: { month: 3, day: 14, years: [2019], yearPrefix: '19' }
		});
		expect(date('3/14/26')).toMatchObject({ date: { years: [2026] } });
		expect(date('3/14/27')).toMatchObject({ date: { years: [1927] } });
		expect(date('3/14')).toEqual({ kind: 'date', date: { month: 3, day: 14 } });
		expect(date('3/')).toEqual({ kind: 'date', date: { month: 3 } });
		expect(date('1975-03')).toEqual({ kind: 'date', date: { years: [1975], month: 3 } });
		expect(date('03141975')).toMatchObject({ kind: 'digits', date: { month: 3, day: 14, years: [1975] } });
		expect(date('19750314')).toMatchObject({ kind: 'digits', date: { month: 3, day: 14, years: [1975] } });
		expect(date('031475')).toMatchObject({ kind: 'digits', date: { month: 3, day: 14, years: [1975] } });
		expect(date('2/30/1975')).toEqual({ kind: 'never' });
		expect(date('2/29/1975')).toEqual({ kind: 'never' });
		expect(date('2/29/1976')).toMatchObject({ kind: 'date' });
		expect(date('13/1/1975')).toEqual({ kind: 'never' });
	});

	it('does not read day-first dates or phone numbers as dates', () => {
		expect(parseQuery('14.03.1975', YEAR)).toEqual([
			{ kind: 'digits', digits: '14031975', phone: '14031975' }
		]);
		expect(parseQuery('(312) 555-0187', YEAR)).toEqual([
			{ kind: 'digits', digits: '3125550187', phone: '3125550187' }
		]);
		expect(parseQuery('+1 312 555 0187', YEAR)).toEqual([
			{ kind: 'digits', digits: '13125550187', phone: '3125550187' }
		]);
	});

	it('splits names on commas, spaces and hyphens and reads MRNs with letters', () => {
		expect(parseQuery("Smith, John O'Brien-Walsh MRN-000123", YEAR)).toEqual([
			{ kind: 'name', text: 'smith' },
			{ kind: 'name', text: 'john' },
			{ kind: 'name', text: 'obrien' },
			{ kind: 'name', text: 'walsh' },
			{ kind: 'mrn', key: 'mrn000123' }
		]);
	});
});

describe('PatientIndex.search', () => {
	const index = build();

	it('finds names in either order, with or without a comma', () => {
		expect(first(index, 'john smith')).toBe(john.id);
		expect(first(index, 'smith john')).toBe(john.id);
		expect(first(index, 'Smith, John')).toBe(john.id);
		expect(first(index, 'SMITH,JOHN')).toBe(john.id);
		expect(ids(index, 'john smith')).not.toContain(jane.id);
	});

	it('tolerates typos (Damerau: a transposition is one edit)', () => {
		expect(first(index, 'Jonh Smith')).toBe(john.id);
		expect(first(index, 'Smiht')).toBeDefined();
		expect(ids(index, 'Smiht')).toEqual(expect.arrayContaining([john.id, jane.id, william.id]));
		expect(first(index, 'Smiht Jonh')).toBe(john.id);
		expect(ids(index, 'Shmidt')).toEqual([schmidt.id]);
		expect(ids(index, 'Schmitd')).toEqual([schmidt.id]);
		// Three letters allow no typo; four allow one; eight allow two.
		expect(ids(index, 'jhn')).toEqual([]);
		expect(ids(index, 'jhon smith')).toEqual([john.id]);
		expect(ids(index, 'smtihsno')).toEqual([smithson.id]);
		expect(ids(index, 'smtihsn')).toEqual([]);
	});

	it('matches the start of a name while it is typed, with a typo from five letters', () => {
		expect(ids(index, 'smi').slice(0, 4)).toEqual([jane.id, john.id, william.id, smithson.id]);
		expect(ids(index, 'smi')).toContain(smitty.id);
		expect(ids(index, 'smith j')).toEqual([jane.id, john.id]);
		expect(ids(index, 'schmi')).toEqual([schmidt.id]);
		expect(ids(index, 'shmid')).toEqual([schmidt.id]);
		expect(ids(index, 'shmi')).toEqual([]);
	});

	it('ranks exact over prefix over typo, and family name over given name', () => {
		expect(ids(index, 'jordan')).toEqual([jordanFamily.id, jordanGiven.id]);
		const smith = index.search('smith');
		expect(smith.map((h) => h.id).slice(0, 3)).toEqual([jane.id, john.id, william.id]);
		expect(smith[0]!.score).toBe(SCORES.nameExact + SCORES.family);
		const smithsonHit = smith.find((h) => h.id === smithson.id)!;
		const smittyHit = smith.find((h) => h.id === smitty.id);
		expect(smithsonHit.score).toBe(SCORES.namePrefix + SCORES.family);
		// smith → smitt: one typo against the first five letters of Smitty.
		expect(smittyHit?.score).toBe(SCORES.nameTypoPrefix + SCORES.given);
		expect(smith.indexOf(smithsonHit)).toBeLessThan(smith.indexOf(smittyHit!));
	});

	it('ignores case and diacritics on both sides', () => {
		expect(ids(index, 'jose munoz')).toEqual([jose.id, joseAscii.id]);
		expect(ids(index, 'JOSÉ MUÑOZ')).toEqual([jose.id, joseAscii.id]);
		expect(index.search('josé').map((h) => h.score)).toEqual([106, 106]);
		expect(ids(index, 'luis')).toEqual([jose.id]);
	});

	it('finds apostrophe and hyphenated names by any part', () => {
		expect(ids(index, "o'brien")).toEqual([obrien.id]);
		expect(ids(index, 'obrien')).toEqual([obrien.id]);
		expect(ids(index, 'brien siobhan')).toEqual([obrien.id]);
		expect(ids(index, 'walsh')).toEqual([obrien.id]);
	});

	it('finds a preferred name', () => {
		expect(ids(index, 'bill smith')).toEqual([william.id]);
		expect(index.search('bill')[0]).toMatchObject({ id: william.id, matched: 'name' });
	});

	it('finds a date of birth in every supported format', () => {
		for (const q of [
			'3/14/1975',
			'03/14/1975',
			'3-14-1975',
			'1975-03-14',
			'03141975',
			'19750314',
			'031475',
			'3/14/75'
		]) {
			expect(ids(index, q), q).toEqual([john.id, william.id]);
			expect(index.search(q)[0]!.matched, q).toBe('dob');
		}
		expect(ids(index, '4/13/1975')).toEqual([smithson.id]);
	});

	it('matches a date being typed, ranking a two-digit year before the century it starts', () => {
		// 2019 exactly, then every 19xx (Munoz before Smith, John before William).
		expect(ids(index, '3/14/19')).toEqual([jose.id, joseAscii.id, john.id, william.id]);
		expect(ids(index, '3/14/20')).toEqual([jose.id]);
		expect(ids(index, '3/14/197')).toEqual([john.id, william.id]);
		expect(ids(index, '3/14')).toEqual([jose.id, joseAscii.id, john.id, william.id]);
		expect(ids(index, '1975-03')).toEqual([john.id, william.id]);
		expect(ids(index, '1975-')).toEqual([john.id, william.id, smithson.id]);
		expect(ids(index, '12/')).toEqual([obrien.id]);
	});

	it('finds nobody for a date that cannot exist', () => {
		expect(ids(index, '2/30/1975')).toEqual([]);
		expect(ids(index, 'smith 2/30/1975')).toEqual([]);
	});

	it('finds a phone number in any format, or by its last digits', () => {
		for (const q of [
			'(312) 555-0187',
			'312.555.0187',
			'312-555-0187',
			'3125550187',
			'+1 312 555 0187',
			'1-312-555-0187'
		])
			expect(index.search(q), q).toMatchObject([{ id: john.id, matched: 'phone', score: SCORES.phoneExact }]);
		expect(index.search('0187')).toMatchObject([{ id: john.id, matched: 'phone', score: SCORES.phoneEnd }]);
		expect(index.search('5550')).toHaveLength(2);
		expect(ids(index, '0199')).toEqual([william.id]);
		expect(ids(index, '630 555')).toEqual([william.id]);
		expect(ids(index, '0188')).toEqual([]);
	});

	it('finds an MRN with or without its letters and leading zeros', () => {
		for (const q of ['MRN-000123', 'mrn000123', 'mrn 000123', 'MRN: 000123', '000123', '123'])
			expect(index.search(q), q).toMatchObject([{ id: john.id, matched: 'mrn', score: SCORES.mrnExact }]);
		expect(ids(index, 'mrn-00012')).toEqual([jane.id, john.id]);
		expect(ids(index, '00012')).toEqual([jane.id, john.id]);
		expect(ids(index, '12')).toEqual([]);
		expect(ids(index, 'mrn 0187')).toEqual([]); // after the word MRN, a number is no phone
		expect(ids(index, 'mrn')).toEqual([]);
		expect(ids(index, 'MRN-1')).toEqual([]);
	});

	it('finds a patient by the MRN of a record merged into it', () => {
		const merged = patient({
			familyName: 'Quill',
			givenName: 'Ada',
			mrn: 'MRN-000500',
			otherMrns: ['MRN-000077']
		});
		const local = build([...everyone, merged]);
		expect(local.search('77')).toMatchObject([{ id: merged.id, matched: 'mrn', score: SCORES.mrnExact }]);
		expect(ids(local, 'mrn-000077')).toEqual([merged.id]);
		expect(ids(local, '500')).toEqual([merged.id]);
		expect(ids(index, '77')).toEqual([]);
	});

	it('finds a name suffix', () => {
		const junior = patient({ familyName: 'Smith', givenName: 'John', suffix: 'Jr.' });
		const local = build([...everyone, junior]);
		expect(ids(local, 'john smith jr')).toEqual([junior.id]);
		expect(ids(local, 'john smith')).toEqual([john.id, junior.id]);
	});

	it('narrows by every term of a combined query', () => {
		expect(ids(index, 'smith 3/14/1975')).toEqual([john.id, william.id]);
		expect(ids(index, 'smith john 3/14/1975')).toEqual([john.id]);
		expect(ids(index, 'william 3/14/75')).toEqual([william.id]);
		expect(ids(index, 'smith 0187')).toEqual([john.id]);
		expect(ids(index, 'jane 3/14/1975')).toEqual([]);
		const hit = index.search('smith 3/14/1975')[0]!;
		expect(hit).toMatchObject({ matched: 'dob', kinds: ['name', 'dob'] });
	});

	it('finds nothing for nonsense or an empty query', () => {
		expect(ids(index, 'xqzvw')).toEqual([]);
		expect(ids(index, 'zzzzzzzzz')).toEqual([]);
		expect(ids(index, 'smith xqzvw')).toEqual([]);
		expect(ids(index, '   ')).toEqual([]);
		expect(ids(index, '9999999')).toEqual([]);
	});

	it('never indexes a deleted patient', () => {
		expect(index.has(gone.id)).toBe(false);
		expect(ids(index, 'deleted')).toEqual([]);
		expect(index.size).toBe(everyone.length - 1);
	});

	it('honours the limit', () => {
		expect(ids(index, 'smi', 2)).toEqual([jane.id, john.id]);
		expect(ids(index, 'smi', 0)).toEqual([]);
	});
});

describe('PatientIndex updates', () => {
	it('removes a patient', () => {
		const index = build();
		expect(index.remove(john.id)).toBe(true);
		expect(index.remove(john.id)).toBe(false);
		expect(ids(index, 'john smith')).toEqual([]);
		expect(ids(index, '0187')).toEqual([]);
		expect(ids(index, '123')).toEqual([]);
		expect(ids(index, '3/14/1975')).toEqual([william.id]);
		expect(ids(index, 'smith')).toEqual(expect.arrayContaining([jane.id, william.id]));
	});

	it('re-indexes an edited patient and forgets what it no longer holds', () => {
		const index = build();
		expect(ids(index, 'smith j')).toEqual([jane.id, john.id]); // warms the term cache
		index.update({ ...john, familyName: 'Smyth', dateOfBirth: '1975-03-15', phones: [], mrn: 'MRN-777' });
		expect(ids(index, 'smith j')).toEqual([jane.id, john.id]); // "smith" is now one typo from Smyth
		expect(index.search('smith j').map((h) => h.score)).toEqual([
			SCORES.nameExact + SCORES.family + SCORES.namePrefix + SCORES.given,
			SCORES.nameTypo + SCORES.family + SCORES.namePrefix + SCORES.given
		]);
		expect(index.search('smyth')[0]).toMatchObject({ id: john.id, score: SCORES.nameExact + SCORES.family });
		expect(ids(index, '3/14/1975')).toEqual([william.id]);
		expect(ids(index, '3/15/1975')).toEqual([john.id]);
		expect(ids(index, '0187')).toEqual([]);
		expect(ids(index, '777')).toEqual([john.id]);
		expect(ids(index, '000123')).toEqual([]);
		expect(index.size).toBe(everyone.length - 1);
	});

	it('drops a patient when an update deletes it, and takes it back when restored', () => {
		const index = build();
		index.update({ ...jane, deletedAt: '2026-03-01T00:00:00.000Z' });
		expect(ids(index, 'jane')).toEqual([]);
		index.update(jane);
		expect(ids(index, 'jane')).toEqual([jane.id]);
	});

	it('forgets a name part no patient holds any more, and reuses the slot', () => {
		const index = build();
		index.remove(schmidt.id);
		expect(ids(index, 'schmidt')).toEqual([]);
		expect(ids(index, 'shmid')).toEqual([]);
		const karla = patient({ familyName: 'Schmid', givenName: 'Karla' });
		index.add(karla);
		expect(ids(index, 'shmid')).toEqual([karla.id]);
		expect(index.size).toBe(everyone.length - 1);
	});

	it('stays correct through many removals', () => {
		const index = new PatientIndex({ currentYear: YEAR });
		const many = Array.from({ length: 3000 }, (_, i) =>
			patient({
				familyName: `Fam${i}`,
				givenName: 'Lee',
				mrn: `X-${i + 1}`,
				phone: `312555${String(i).padStart(4, '0')}`
			})
		);
		for (const p of many) index.add(p);
		for (const p of many.slice(0, 2500)) index.remove(p.id);
		expect(ids(index, '3125552999')).toEqual([many[2999]!.id]);
		expect(ids(index, '3125550001')).toEqual([]);
		expect(ids(index, 'x-2600')).toEqual([many[2599]!.id]);
		expect(index.size).toBe(500);
	});
});

describe('nameKey', () => {
	it('sorts like the names it is made from, leaving only equal keys to compare as strings', () => {
		const rng = new Rng(4);
		const alphabet = ['a', 'b', 'm', 'y', 'z', ' ', '-', "'", '0', '\u0001', 'ß', '~'];
		const names = Array.from({ length: 400 }, () =>
			Array.from({ length: rng.int(0, 14) }, () => rng.pick(alphabet)).join('')
		);
		names.push(
			'smith\u0001john',
			'smith\u0001jon',
			'smithson\u0001al',
			'smit\u0001zed',
			'abcdefghijklm',
			'abcdefghijkz'
		);
		let ordered = 0;
		for (const a of names)
			for (const b of names) {
				if (nameKey(a) < nameKey(b)) {
					expect(a < b, `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(true);
					ordered++;
				}
			}
		// Most pairs are told apart by the key alone.
		expect(ordered).toBeGreaterThan(names.length ** 2 * 0.4);
		expect(nameKey('smith\u0001john')).toBeLessThan(nameKey('smith\u0001jon'));
		expect(nameKey('smith\u0001jon')).toBeLessThan(nameKey('smithson\u0001al'));
	});
});

describe('PatientIndex.build', () => {
	it('indexes in chunks, yielding between them, with the same results as adding one by one', async () => {
		const demo = generateDemoClinic({
			seed: 7,
			today: '2026-11-16',
			patients: 1000,
			monthsBack: 0,
			monthsAhead: 0,
			fillRatio: 0
		});
		let yields = 0;
		const chunked = await PatientIndex.build(demo.patients, {
			chunkSize: 300,
			sliceMs: Infinity,
			currentYear: YEAR,
			yield: async () => {
				yields++;
			}
		});
		expect(yields).toBe(3); // after each full chunk
		let sliced = 0;
		const timed = await PatientIndex.build(demo.patients, {
			sliceMs: 0, // every slice is over at the first look at the clock: every 32 patients
			currentYear: YEAR,
			yield: async () => {
				sliced++;
			}
		});
		expect(sliced).toBe(31);
		const direct = build(demo.patients);
		const p = demo.patients[500]!;
		for (const q of [p.familyName, `${p.givenName.slice(0, 3)} ${p.familyName}`, p.mrn, p.dateOfBirth, 'a']) {
			expect(chunked.search(q)).toEqual(direct.search(q));
			expect(timed.search(q)).toEqual(direct.search(q));
		}
		expect(chunked.size).toBe(1000);
	});

	it('stops between chunks when aborted', async () => {
		const controller = new AbortController();
		const build = PatientIndex.build(everyone, {
			chunkSize: 2,
			sliceMs: Infinity,
			signal: controller.signal,
			yield: async () => controller.abort(new Error('locked'))
		});
		await expect(build).rejects.toThrow('locked');
	});
});

describe('the index agrees with checking every patient', () => {
	const demo = generateDemoClinic({
		seed: 3,
		today: '2026-11-16',
		patients: 3000,
		monthsBack: 0,
		monthsAhead: 0,
		fillRatio: 0
	});
	const index = build(demo.patients);
	const rng = new Rng(11);

	/** A realistic slip: swap, drop, double or change one letter. */
	function typo(word: string): string {
		const i = rng.int(0, word.length - 2);
		switch (rng.int(0, 3)) {
			case 0:
				return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
			case 1:
				return word.slice(0, i) + word.slice(i + 1);
			case 2:
				return word.slice(0, i) + word[i] + word.slice(i);
			default:
				return word.slice(0, i) + 'qxz'[rng.int(0, 2)] + word.slice(i + 1);
		}
	}

	function queries(): string[] {
		const out: string[] = [];
		for (let n = 0; n < 100; n++) {
			const p = rng.pick(demo.patients);
			const family = p.familyName.toLowerCase();
			const given = p.givenName.toLowerCase();
			out.push(
				family.slice(0, rng.int(1, family.length)),
				`${typo(family)} ${given.slice(0, rng.int(1, 3))}`,
				`${given} ${typo(family).slice(0, rng.int(4, family.length))}`,
				typo(given),
				p.dateOfBirth,
				`${Number(p.dateOfBirth.slice(5, 7))}/${Number(p.dateOfBirth.slice(8))}/${p.dateOfBirth.slice(2, 4)}`,
				p.phones[0]!.number.slice(-rng.int(4, 8)),
				p.mrn.slice(0, rng.int(5, p.mrn.length)),
				p.mrn.slice(-rng.int(1, 6))
			);
		}
		return out;
	}

	it('returns exactly what an exhaustive check returns, for typed, mistyped and partial queries', () => {
		const qs = queries();
		let nonEmpty = 0;
		for (const q of qs) {
			const fast = index.search(q, 20);
			expect(fast, q).toEqual(index.searchExhaustive(q, 20));
			if (fast.length > 0) nonEmpty++;
		}
		// The comparison means something only if most queries find someone.
		expect(nonEmpty).toBeGreaterThan(qs.length * 0.9);
	});

	it('stays equal to a fresh index through edits, deletions, restorations and additions', () => {
		const live = new Map(demo.patients.slice(0, 1500).map((p) => [p.id, p]));
		const edited = build([...live.values()]);
		const pool = [...live.values()];
		const other = demo.patients.slice(1500, 2500);
		const deleted: Patient[] = [];
		for (let n = 0; n < 1200; n++) {
			const p = rng.pick(pool);
			const donor = rng.pick(other);
			let next: Patient | undefined;
			switch (rng.int(0, 6)) {
				case 0:
					next = { ...p, familyName: rng.chance(0.5) ? donor.familyName : `${p.familyName}x` };
					break;
				case 1:
					next = {
						...p,
						givenName: donor.givenName,
						middleName: rng.chance(0.5) ? donor.givenName : undefined
					};
					break;
				case 2:
					next = { ...p, phones: rng.chance(0.5) ? donor.phones : [] };
					break;
				case 3:
					next = { ...p, dateOfBirth: donor.dateOfBirth, mrn: donor.mrn };
					break;
				case 4:
					next = { ...p, deletedAt: '2026-06-01T00:00:00.000Z' };
					deleted.push(p);
					break;
				case 5:
					if (deleted.length) next = deleted.pop()!;
					break;
				default:
					next = { ...donor, id: `${p.id.slice(0, 24)}${String(n).padStart(12, '9')}` };
					pool.push(next);
			}
			if (!next) continue;
			edited.update(next);
			if (next.deletedAt) live.delete(next.id);
			else live.set(next.id, next);
			if (n % 100 === 0) edited.search('a'); // settle now and then, as typing would
		}
		const fresh = build([...live.values()]);
		expect(edited.size).toBe(live.size);
		let nonEmpty = 0;
		for (const q of queries().slice(0, 400)) {
			const got = edited.search(q, 20);
			expect(got, q).toEqual(fresh.search(q, 20));
			expect(got, q).toEqual(edited.searchExhaustive(q, 20));
			if (got.length) nonEmpty++;
		}
		expect(nonEmpty).toBeGreaterThan(200);
	});

	it('finds the patient a query was made from', () => {
		for (let n = 0; n < 100; n++) {
			const p = rng.pick(demo.patients);
			const q = `${typo(p.familyName.toLowerCase())} ${p.givenName}`;
			expect(ids(index, q, 200), q).toContain(p.id);
			expect(ids(index, `${p.familyName} ${p.dateOfBirth}`), p.id).toContain(p.id);
		}
	});
});
