/**
 * The workspace's document layout. A Y.Doc is the unit of sync, permission and encryption, so
 * documents are cut by permission scope and by month or shard to keep each one small
 * (ARCHITECTURE.md: ~2 MB / ~15k records at most).
 *
 * Document names appear in URLs, relay logs and IndexedDB keys, so they are built only from fixed
 * words, months, shard digits and random device ids — never from anything a person typed. The name
 * rule itself lives in domain (`domain/sync/docnames.ts`) because the relay checks it too.
 */
import { isDocName, SCHEDULE_COMMON, type DocName } from '../domain/sync/docnames';
import type { Scope } from '../domain/security/roles';

export { isDocName, type DocName, type Scope };

/** A permission scope, or the keyring (users and wrapped keys, readable before anyone logs in). */
export type DocKind = Scope | 'keyring';

/** Patients are spread over 16 shards by the first hex digit of their UUID. */
export const PATIENT_SHARDS = '0123456789abcdef'.split('');

export function scopeOf(name: DocName): DocKind {
	return name.split('/')[0] as DocKind;
}

/**
 * Documents sealed with the workstation's device key rather than a scope key: the keyring must be
 * readable at the lock screen, and every user appends to this workstation's audit log. Neither
 * holds PHI (ids, staff names, wrapped keys, action codes).
 */
export function usesDeviceKey(name: DocName): boolean {
	const kind = scopeOf(name);
	return kind === 'keyring' || kind === 'audit';
}

export const keyringDoc = (): DocName => 'keyring';

export const directoryDoc = (): DocName => 'directory';
export const scheduleDoc = (month: string): DocName => checked(`schedule/${month}`);
/** Series, provider hours and time off, waitlist: schedule records not tied to one month. */
export const scheduleCommonDoc = (): DocName => SCHEDULE_COMMON as DocName;
export const clinicalDoc = (month: string): DocName => checked(`clinical/${month}`);
export const billingDoc = (month: string): DocName => checked(`billing/${month}`);
export const commsDoc = (month: string): DocName => checked(`comms/${month}`);
/** This workstation's audit log for a month (`yyyy-mm`, UTC): one writer per log, bounded size. */
export const auditDoc = (deviceId: string, month: string): DocName => checked(`audit/${deviceId}/${month}`);

/** The workstation an audit log document belongs to. */
export function auditDeviceOf(name: DocName): string {
	return name.split('/')[1] ?? '';
}

export function patientsDocFor(patientId: string): DocName {
	return checked(`patients/${patientId.charAt(0).toLowerCase()}`);
}

/** The document that holds one attached file's bytes (its metadata lives in the patient's shard). */
export function patientFileDoc(documentId: string): DocName {
	return checked(`patients/f-${documentId.replace(/-/g, '').toLowerCase()}`);
}

export function allPatientDocs(): DocName[] {
	return PATIENT_SHARDS.map((s) => `patients/${s}` as DocName);
}

/** The `yyyy-mm` months whose documents hold any instant in [fromIso, toIso). */
export function monthsBetween(fromIso: string, toIso: string): string[] {
	const out: string[] = [];
	let y = Number(fromIso.slice(0, 4));
	let m = Number(fromIso.slice(5, 7));
	const endKey = toIso.slice(0, 7);
	for (;;) {
		const key = `${y}-${String(m).padStart(2, '0')}`;
		out.push(key);
		if (key >= endKey) break;
		m += 1;
		if (m > 12) {
			m = 1;
			y += 1;
		}
	}
	return out;
}

function checked(name: string): DocName {
	if (!isDocName(name)) throw new Error(`Not a ClinicDesk document name: ${name.slice(0, 40)}`);
	return name;
}

/** Which record collections live in which kind of document. */
export const collections = {
	directory: ['clinic', 'providers', 'rooms', 'appointmentTypes'],
	schedule: ['appointments', 'appointmentEvents', 'conflictResolutions'],
	scheduleCommon: [
		'series',
		'seriesExceptions',
		'availabilityTemplates',
		'availabilityExceptions',
		'waitlist'
	],
	patients: ['patients', 'documents'],
	keyring: ['users', 'keybags', 'policy']
} as const;
