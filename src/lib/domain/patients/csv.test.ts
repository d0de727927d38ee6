import { describe, expect, it } from 'vitest';
import { generateDemoClinic } from '../demo';
import {
	badRowsCsv,
	CSV_TARGET_LABELS,
	dryRun,
	mappingProblems,
	parseCsv,
	parseDate,
	patientsToCsv,
	startDryRun,
	suggestMapping,
	type ColumnMapping
} from './csv';
import { patient as patientSchema, type Patient } from './schemas';
import { mrnSequence } from './transfer';

const TODAY = '2026-11-16';

function table(text: string) {
	const parsed = parseCsv(text);
	if (!parsed.ok) throw new Error(parsed.error);
	return parsed;
}

const targets = (m: ColumnMapping) => m.map((x) => x.target);

describe('suggestMapping', () => {
	it('recognises the headers other systems and spreadsheets use', () => {
		expect(
			targets(
				suggestMapping([
					'Surname',
					'given',
					'DOB',
					'Gender',
					'Cell',
					'Home Phone',
					'E-mail',
					'Address',
					'City',
					'State',
					'Zip',
					'Chart #',
					'Insurance',
					'Policy #',
					'Group #',
					'Notes'
				])
			)
		).toEqual([
			'familyName',
			'givenName',
			'dateOfBirth',
			'sex',
			'mobilePhone',
			'homePhone',
			'email',
			'addressLine1',
			'city',
			'state',
			'postalCode',
			'mrn',
			'payerName',
			'memberId',
			'groupNumber',
			null
		]);
		expect(
			targets(
				suggestMapping([
					'Last Name',
					'First Name',
					'Birth Date',
					'Sex',
					'Mobile',
					'Phone',
					'Email Address',
					'ZIP Code',
					'MRN',
					'Payer',
					'Member ID',
					'Group Number'
				])
			)
		).toEqual([
			'familyName',
			'givenName',
			'dateOfBirth',
			'sex',
			'mobilePhone',
			'otherPhone',
			'email',
			'postalCode',
			'mrn',
			'payerName',
			'memberId',
			'groupNumber'
		]);
		expect(
			targets(suggestMapping(['family', 'Date of Birth', 'Chart No.', 'Policy Number', 'Mobile Phone']))
		).toEqual(['familyName', 'dateOfBirth', 'mrn', 'memberId', 'mobilePhone']);
	});

	it('gives a field to the first column only, and says what the mapping lacks', () => {
		const m = suggestMapping(['Last Name', 'Surname', 'DOB']);
		expect(targets(m)).toEqual(['familyName', null, 'dateOfBirth']);
		expect(mappingProblems(m)).toEqual(['Choose the column that holds First Name']);
		m[1]!.target = 'familyName';
		expect(mappingProblems(m)).toContain('2 columns are set to Last Name; keep one');
	});

	it('recognises every header the export writes', () => {
		const header = patientsToCsv([])
			.replace(/^\uFEFF/, '')
			.trim()
			.split(',');
		expect(targets(suggestMapping(header))).toEqual(Object.keys(CSV_TARGET_LABELS));
	});
});

describe('parseCsv (RFC 4180)', () => {
	it('reads quoted cells with commas, quotes and line breaks, CRLF, a BOM and a last line without a break', () => {
		const text =
			'\uFEFFLast Name,First Name,Address\r\n"O\'Hara, Jr",Ann,"12 Elm St\r\nApt 3"\r\nRoss,"Dee ""DD""",\r\nLast,One,"x"';
		const t = table(text);
		expect(t.headers).toEqual(['Last Name', 'First Name', 'Address']);
		expect(t.rows).toEqual([
			["O'Hara, Jr", 'Ann', '12 Elm St\r\nApt 3'],
			['Ross', 'Dee "DD"', ''],
			['Last', 'One', 'x']
		]);
	});

	it('takes LF or CR line ends, semicolons or tabs, and names blank headers', () => {
		expect(table('a;b\n1;2\n').rows).toEqual([['1', '2']]);
		expect(table('a\tb\r1\t2').rows).toEqual([['1', '2']]);
		expect(table('a,,c\n').headers).toEqual(['a', 'Column 2', 'c']);
	});

	it('refuses a file whose quote is never closed, and an empty file', () => {
		expect(parseCsv('a,b\n1,"open\n2,3\n')).toEqual({
			ok: false,
			error: 'A quoted cell that starts on row 2 is never closed'
		});
		expect(parseCsv('')).toEqual({ ok: false, error: 'The file is empty' });
	});

	it('reads M/D/YYYY and YYYY-MM-DD dates and nothing that is not a real day', () => {
		expect(parseDate('4/9/1984')).toBe('1984-04-09');
		expect(parseDate('04/09/1984')).toBe('1984-04-09');
		expect(parseDate('1984-04-09')).toBe('1984-04-09');
		for (const bad of ['2/30/1984', '13/1/1984', '4/9/84', '1984/04/09', 'April 9 1984', '9.4.1984'])
			expect(parseDate(bad)).toBe('');
	});
});

describe('dryRun', () => {
	const header =
		'Chart #,Last Name,First Name,DOB,Sex,Cell,Email,Address,City,State,Zip,Insurance,Member ID,Group #';
	const file = [
		header,
		'C-1,Quill,Maren,1984-04-09,F,(312) 555-0188,mq@example.com,"12 Elm St, Apt 3",Evanston,IL,60201,Prairie Health,XQ1,G-1', // 2 good
		'C-2,Baird,Tom,13/45/1990,M,(312) 555-0101,,,,,,,,', // 3 bad date
		'C-3,,Lena,3/3/1970,F,(312) 555-0102,,,,,,,,', // 4 no last name
		'C-4,Young,Kit,1/1/2030,U,,,,,,,,,', // 5 future
		'C-5,Park,Jae,2/2/1990,M,,jae-at-example.com,,,,,,,', // 6 bad e-mail
		'C-6,Lind,Ola,5/5/1950,F,,,,,,,,,', // 7 duplicate MRN…
		'c-6,Lind,Olav,5/5/1951,M,,,,,,,,,', // 8 …of row 7
		'C-7,Moss,Ivy,6/6/1966,F,555-0199,,,,,,,,', // 9 no area code
		',Stone,Ada,7/7/1977,F,,,,,,,Prairie Health,,', // 10 insurance without member id
		',,,,,,,,,,,,,', // 11 blank: skipped
		',Vance,Roy,12/31/1999,male,+1 773 555 0142,,,,,,,,', // 12 good, gets an MRN
		'C-8,Xu,Li,1/1/1890,X,,,,,,,,,', // 13 before 1900
		'C-9,Rey,Sol,2/2/1992,Q,,,,,,,,,' // 14 sex not recognised
	].join('\r\n');

	const run = () => {
		const t = table(file);
		let n = 0;
		return dryRun(t.rows, suggestMapping(t.headers), {
			today: TODAY,
			existingMrns: ['MRN-000040', 'C-9'],
			nextMrn: mrnSequence('MRN-{n}', ['MRN-000040']),
			newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`
		});
	};

	it('keeps the good rows and reports each bad one by spreadsheet row, naming the column, never the value', () => {
		const { valid, bad } = run();
		expect(bad).toEqual([
			{ row: 3, reasons: ['DOB: not a date (expected M/D/YYYY or YYYY-MM-DD)'] },
			{ row: 4, reasons: ['Last Name: required'] },
			{ row: 5, reasons: ['DOB: in the future'] },
			{ row: 6, reasons: ['Email: not an e-mail address'] },
			{ row: 7, reasons: ['Chart #: also on row 8'] },
			{ row: 8, reasons: ['Chart #: also on row 7'] },
			{ row: 9, reasons: ['Cell: needs an area code (10 digits)'] },
			{ row: 10, reasons: ['Member ID: missing (needed when other insurance columns are filled)'] },
			{ row: 13, reasons: ['DOB: before 1900'] },
			{
				row: 14,
				reasons: [
					'Chart #: already used by a patient in this clinic',
					'Sex: not recognised (expected F, M, Other or Unknown)'
				]
			}
		]);
		const values = file
			.slice(header.length)
			.split(/[\r\n,]+/)
			.filter((v) => v.length > 3);
		for (const b of bad) for (const r of b.reasons) for (const v of values) expect(r).not.toContain(v);

		expect(valid.map((p) => [p.mrn, p.familyName])).toEqual([
			['C-1', 'Quill'],
			['MRN-000041', 'Vance']
		]);
		expect(valid[0]).toMatchObject({
			givenName: 'Maren',
			dateOfBirth: '1984-04-09',
			sex: 'female',
			phones: [{ type: 'mobile', number: '(312) 555-0188', canText: false, primary: true }],
			email: 'mq@example.com',
			address: {
				line1: '12 Elm St, Apt 3',
				city: 'Evanston',
				state: 'IL',
				postalCode: '60201',
				country: 'US'
			},
			coverages: [
				{
					id: '00000000-0000-4000-8000-000000000001',
					order: 'primary',
					payerName: 'Prairie Health',
					memberId: 'XQ1',
					groupNumber: 'G-1',
					subscriberRelationship: 'self'
				}
			]
		});
		expect(valid[1]).toMatchObject({ dateOfBirth: '1999-12-31', sex: 'male' });
		// Every patient handed over is whole and valid: the writer has nothing left to refuse.
		for (const p of valid)
			patientSchema.parse({
				...p,
				id: crypto.randomUUID(),
				createdAt: TODAY + 'T00:00:00Z',
				updatedAt: TODAY + 'T00:00:00Z'
			});
	});

	it('gives the same answer in steps as at once (progress for large files)', () => {
		const t = table(file);
		const opts = () => ({
			today: TODAY,
			nextMrn: mrnSequence('MRN-{n}', []),
			newId: () => '00000000-0000-4000-8000-000000000009'
		});
		const job = startDryRun(t.rows, suggestMapping(t.headers), opts());
		const seen: number[] = [];
		while (!job.step(3)) seen.push(job.done);
		expect(seen).toEqual([3, 6, 9, 12]);
		expect(job.done).toBe(job.total);
		expect(job.result()).toEqual(dryRun(t.rows, suggestMapping(t.headers), opts()));
	});

	it('reports a mapped column that is missing from a short row as a blank, and extra cells', () => {
		const t = table('Last Name,First Name,DOB\nAsh,Bo\nAsh,Bo,1/1/1990,surprise\n');
		expect(
			dryRun(t.rows, suggestMapping(t.headers), { today: TODAY, nextMrn: mrnSequence('M{n}', []) }).bad
		).toEqual([
			{ row: 2, reasons: ['DOB: required'] },
			{ row: 3, reasons: ['Row has 4 cells but the header has 3'] }
		]);
	});

	it('writes the bad rows as a CSV without values', () => {
		expect(badRowsCsv(run().bad.slice(0, 2))).toBe(
			'Row,Problems\r\n3,DOB: not a date (expected M/D/YYYY or YYYY-MM-DD)\r\n4,Last Name: required\r\n'
		);
	});
});

describe('patientsToCsv → import', () => {
	const demo = generateDemoClinic({
		seed: 11,
		today: TODAY,
		patients: 200,
		monthsBack: 0,
		monthsAhead: 0,
		fillRatio: 0
	});

	function common(p: Patient) {
		const coverage = p.coverages.find((c) => c.order === 'primary');
		return {
			mrn: p.mrn,
			familyName: p.familyName,
			givenName: p.givenName,
			middleName: p.middleName,
			suffix: p.suffix,
			preferredName: p.preferredName,
			dateOfBirth: p.dateOfBirth,
			sex: p.sex,
			phones: p.phones.map((x) => `${x.type}:${x.number}:${x.type === 'mobile' && x.canText}`).sort(),
			email: p.email,
			address: p.address,
			preferredLanguage: p.preferredLanguage,
			coverage: coverage && {
				payerName: coverage.payerName,
				payerId: coverage.payerId,
				planName: coverage.planName,
				memberId: coverage.memberId,
				groupNumber: coverage.groupNumber
			},
			emergencyContact: p.emergencyContacts[0]
		};
	}

	it('brings the common fields back unchanged', () => {
		const patients = demo.patients.map((p, i) => {
			if (i === 0) return { ...p, familyName: '=HYPERLINK("x")', givenName: '@Ann', suffix: 'Jr.' };
			if (i === 1)
				return {
					...p,
					phones: [{ type: 'mobile' as const, number: '+1 (312) 555-0100', canText: true, primary: true }]
				};
			if (i === 2)
				return {
					...p,
					address: {
						line1: '1 Main St, Unit "B"',
						line2: 'Rear\r\nDoor',
						city: 'Oak Park',
						state: 'IL',
						postalCode: '60302',
						country: 'US'
					}
				};
			return p;
		});
		const csv = patientsToCsv(patients);
		expect(csv.startsWith('\uFEFFMRN,Last Name,First Name,')).toBe(true);
		// Cells that would run as a formula are written as text.
		expect(csv).toContain(`"'=HYPERLINK(""x"")",'@Ann`);
		expect(csv).toContain("'+1 (312) 555-0100");

		const t = table(csv);
		const mapping = suggestMapping(t.headers);
		expect(mapping.every((m) => m.target)).toBe(true);
		const { valid, bad } = dryRun(t.rows, mapping, { today: TODAY });
		expect(bad).toEqual([]);
		expect(valid.map((p) => common(p as Patient))).toEqual(patients.map(common));
	});
});

describe('CSV dry run at clinic scale [prints timing, no time assertion]', () => {
	it('checks 20,000 rows', () => {
		const demo = generateDemoClinic({
			seed: 5,
			today: TODAY,
			patients: 20_000,
			monthsBack: 0,
			monthsAhead: 0,
			fillRatio: 0
		});
		const csv = patientsToCsv(demo.patients);
		let t0 = performance.now();
		const t = table(csv);
		const parseMs = performance.now() - t0;
		t0 = performance.now();
		const { valid, bad } = dryRun(t.rows, suggestMapping(t.headers), { today: TODAY, existingMrns: [] });
		const checkMs = performance.now() - t0;
		console.log(
			`[csv timing] ${t.rows.length} rows, ${(csv.length / 1e6).toFixed(1)} MB: parse ${parseMs.toFixed(0)} ms, dry run ${checkMs.toFixed(0)} ms`
		);
		expect(valid).toHaveLength(20_000);
		expect(bad).toEqual([]);
	}, 120_000);
});
