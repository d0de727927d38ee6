/**
 * What CSV and FHIR import/export share: the shape of an imported patient, the shape of a problem,
 * the upload limit, file names, and the MRN sequence used for rows that arrive without one.
 */
import type { Patient } from './schemas';

/**
 * A patient ready to be written. CSV rows carry no id or timestamps (the caller assigns them);
 * a FHIR import keeps the record's own id and timestamps so a round trip is exact.
 */
export type PatientInput = Omit<Patient, 'id' | 'createdAt' | 'updatedAt'> &
	Partial<Pick<Patient, 'id' | 'createdAt' | 'updatedAt'>>;

/** Largest file the import screen reads; a bigger one is refused before it is read. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

/**
 * `patients-2026-11-28.csv`: only the date, because file names end up in download lists, backups
 * and e-mail attachments, so nothing about a patient goes in them.
 */
export function exportFileName(kind: 'csv' | 'fhir', today: string): string {
	return `patients-${today}.${kind === 'csv' ? 'csv' : 'json'}`;
}

/** CSV or FHIR JSON, from the file name first and the first character when the name says nothing. */
export function detectFormat(fileName: string, text: string): 'csv' | 'fhir' {
	const name = fileName.toLowerCase();
	if (name.endsWith('.json')) return 'fhir';
	if (name.endsWith('.csv') || name.endsWith('.txt')) return 'csv';
	return text
		.replace(/^\uFEFF/, '')
		.trimStart()
		.startsWith('{')
		? 'fhir'
		: 'csv';
}

/** Upper-case and trimmed, so `mrn-000012` and `MRN-000012 ` are the same number. */
export function mrnKey(mrn: string): string {
	return mrn.trim().toUpperCase();
}

/**
 * New MRNs by the clinic's pattern (`MRN-{n}`), continuing after the highest number in use, as
 * `PatientsState.nextMrn` does for one patient; each call hands out the next number.
 */
export function mrnSequence(pattern: string, existing: Iterable<string>): () => string {
	let max = 0;
	for (const mrn of existing) {
		const m = /(\d+)\D*$/.exec(mrn);
		if (m) max = Math.max(max, Number(m[1]));
	}
	return () => pattern.replace('{n}', String(++max).padStart(6, '0'));
}
