/**
 * Which strings are ClinicDesk document names. The rule lives in domain so the relay (which may
 * not import the CRDT layer) refuses exactly the names the app would build: fixed words, months,
 * shard digits and device ids — never anything a person typed, because names appear in URLs, relay
 * logs and database keys.
 */
export type DocName =
	| 'directory'
	| 'keyring'
	| 'inventory'
	| `schedule/${string}`
	| `patients/${string}`
	| `clinical/${string}`
	| `billing/${string}`
	| `comms/${string}`
	| `audit/${string}`;

const monthly = /^(schedule|clinical|billing|comms)\/(\d{4})-(0[1-9]|1[0-2])$/;
/** A patient shard, or one attached file (`patients/f-<id without dashes>`), in the patients scope. */
const patientShard = /^patients\/(?:[0-9a-f]|f-[0-9a-f]{32})$/;
/** One log per workstation per month (`audit/<deviceId>/<yyyy-mm>`), so no log outgrows the document budget. */
const auditLog = /^audit\/[0-9a-z-]{8,64}\/\d{4}-(0[1-9]|1[0-2])$/;

/**
 * `schedule/common`: the schedule scope's records that are not tied to one month — recurring series
 * and their exceptions, provider hours and time off, the waitlist.
 */
export const SCHEDULE_COMMON = 'schedule/common';

export function isDocName(name: string): name is DocName {
	return (
		name === 'directory' ||
		name === SCHEDULE_COMMON ||
		name === 'keyring' ||
		name === 'inventory' ||
		monthly.test(name) ||
		patientShard.test(name) ||
		auditLog.test(name)
	);
}
