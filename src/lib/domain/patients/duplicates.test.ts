import { describe, expect, it } from 'vitest';
import { patient, type Patient } from './schemas';
import {
	differingFields,
	DuplicateIndex,
	duplicateReasons,
	mergedFields,
	pairKey,
	withinEdits
} from './duplicates';

let n = 0;
function p(fields: Partial<Patient>): Patient {
	n += 1;
	return patient.parse({
		id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
		createdAt: '2026-01-01T00:00:00.000Z',
		updatedAt: '2026-01-01T00:00:00.000Z',
		mrn: `MRN-${n}`,
		familyName: 'Quillonary',
		givenName: 'Zarathea',
		dateOfBirth: '1975-04-09',
		...fields
	});
}

describe('duplicate detection', () => {
	it('counts transpositions as one edit', () => {
		expect(withinEdits('smith', 'smiht', 1)).toBe(true);
		expect(withinEdits('smith', 'smyth', 1)).toBe(true);
		expect(withinEdits('smith', 'smythe', 1)).toBe(false);
		expect(withinEdits('schmidt', 'shmidt', 1)).toBe(true);
	});

	it('flags the same birth date with a similar, swapped or shortened name', () => {
		const base = p({});
		expect(duplicateReasons(base, p({ familyName: 'Quilonary' }))).toEqual(['name-and-birth-date']);
		expect(duplicateReasons(base, p({ givenName: 'Zara' }))).toEqual(['name-and-birth-date']);
		expect(duplicateReasons(base, p({ familyName: 'Zarathea', givenName: 'Quillonary' }))).toEqual([
			'name-and-birth-date'
		]);
		expect(duplicateReasons(base, p({ familyName: 'QUILLONARY', givenName: 'Z' }))).toEqual([
			'name-and-birth-date'
		]);
		// Same name, different birthday: twins or a namesake, not flagged on the name.
		expect(duplicateReasons(base, p({ dateOfBirth: '1975-04-10' }))).toEqual([]);
		// Same birthday, different person.
		expect(duplicateReasons(base, p({ familyName: 'Ombrel', givenName: 'Tessary' }))).toEqual([]);
	});

	it('flags a shared phone in any format and a shared member id', () => {
		const a = p({ phones: [{ type: 'mobile', number: '(312) 555-0187', canText: false, primary: true }] });
		const b = p({
			familyName: 'Ombrel',
			dateOfBirth: '1990-01-01',
			phones: [{ type: 'home', number: '+1 312.555.0187', canText: false, primary: false }]
		});
		expect(duplicateReasons(a, b)).toEqual(['phone']);
		const cov = (memberId: string) => ({
			id: crypto.randomUUID(),
			order: 'primary' as const,
			payerName: 'Synthetic Health',
			memberId,
			subscriberRelationship: 'self' as const
		});
		const c = p({ familyName: 'Vondrake', dateOfBirth: '1960-02-02', coverages: [cov('XQZ-123-4567')] });
		const d = p({ familyName: 'Parquist', dateOfBirth: '1961-03-03', coverages: [cov('xqz1234567')] });
		expect(duplicateReasons(c, d)).toEqual(['member-id']);
	});

	it('lists each pair once, most certain first, and leaves dismissed pairs out', () => {
		const a = p({ phones: [{ type: 'mobile', number: '312-555-0111', canText: false, primary: true }] });
		const b = p({
			givenName: 'Zarathee',
			phones: [{ type: 'mobile', number: '3125550111', canText: false, primary: true }]
		});
		const c = p({
			familyName: 'Ombrel',
			dateOfBirth: '1980-05-05',
			phones: [{ type: 'home', number: '312 555 0111', canText: false, primary: false }]
		});
		const d = p({ familyName: 'Tessary', dateOfBirth: '2001-01-01' });
		const index = new DuplicateIndex([a, b, c, d]);
		const pairs = index.pairs();
		expect(pairs.map((x) => [x.a, x.b].sort().join(' '))).toEqual([
			[a.id, b.id].sort().join(' '),
			[a.id, c.id].sort().join(' '),
			[b.id, c.id].sort().join(' ')
		]);
		expect(pairs[0]!.reasons).toEqual(['name-and-birth-date', 'phone']);
		expect(index.pairs(new Set([pairKey(b.id, a.id)]))).toHaveLength(2);
		// On entry: a new record is checked against the index without being in it.
		expect(index.matches(p({ familyName: 'Quillonery' })).map((m) => m.id)).toEqual([a.id, b.id].sort());
		expect(index.matches(d)).toEqual([]);
	});
});

describe('merging two records', () => {
	it('takes each differing field from the chosen side and combines lists when asked', () => {
		const keep = p({
			alerts: ['Needs interpreter'],
			phones: [{ type: 'mobile', number: '312-555-0101', canText: true, primary: true }]
		});
		const other = p({
			givenName: 'Zara',
			email: 'zara@example.test',
			alerts: ['Wheelchair'],
			phones: [{ type: 'home', number: '312-555-0102', canText: false, primary: false }]
		});
		expect(differingFields(keep, other).sort()).toEqual(['alerts', 'email', 'givenName', 'phones']);
		const merged = mergedFields(keep, other, { email: 'other', alerts: 'both', phones: 'both' });
		expect(merged).toEqual({
			email: 'zara@example.test',
			alerts: ['Needs interpreter', 'Wheelchair'],
			phones: [...keep.phones, ...other.phones]
		});
		expect(() => mergedFields(keep, other, { givenName: 'both' })).toThrow(/cannot be combined/);
	});
});
