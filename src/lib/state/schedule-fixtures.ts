/**
 * Shared fixtures for the schedule's state tests: a new clinic on a fresh fake IndexedDB with one
 * provider, one 20-minute appointment type and one patient, the real state classes over it, and the
 * exchange of two workstations' schedule documents (what the relay would carry once they reconnect).
 * Imported only by *.test.ts files.
 */
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import * as Y from 'yjs';
import { addDays, localDate, zonedTimeToUtc } from '../domain';
import { appointmentTypesIn, providersIn } from '../crdt/collections';
import { directoryDoc } from '../crdt/layout';
import type { AuthClient } from '../sync';
import { PatientsState } from './patients.svelte';
import { ScheduleState } from './schedule.svelte';
import { WorkspaceState } from './workspace.svelte';

export const TZ = 'America/Chicago';
export const PROVIDER = '0b1e7a52-5d7e-4c1a-9f0e-1a2b3c4d5e6f';
export const TYPE = '7c9d2e41-3b6a-4f8e-8d1c-2e3f4a5b6c7d';
const ADMIN = { displayName: 'Ada Admin', username: 'ada', passphrase: 'correct horse battery' };

export const tick = () => new Promise((r) => setTimeout(r, 0));

/** A clinic-local time `days` from today, as an ISO instant. */
export function at(days: number, hour: number, minute = 0): string {
	const date = addDays(localDate(new Date(), TZ), days);
	return zonedTimeToUtc(date, hour, minute, TZ).toISOString();
}

export const plus = (iso: string, minutes: number) =>
	new Date(Date.parse(iso) + minutes * 60_000).toISOString();

/** A synthetic patient with only the fields registration requires. */
export function addPatient(
	patients: PatientsState,
	familyName: string,
	givenName: string,
	dateOfBirth: string
) {
	return patients.create({ familyName, givenName, dateOfBirth } as Parameters<PatientsState['create']>[0]);
}

type Booking = Parameters<ScheduleState['book']>[0];

/** One workstation: the clinic, its states, the patient, and `book` for that patient with PROVIDER. */
export async function scheduleWorkspace() {
	const ws = new WorkspaceState(() => new FakeIDBFactory(), {} as AuthClient);
	await ws.init();
	await ws.createClinic({ name: 'Synthetic Clinic', timeZone: TZ, slotMinutes: 15, admin: ADMIN });
	const now = new Date().toISOString();
	const dir = ws.docs().open(directoryDoc());
	providersIn(dir).insert({
		id: PROVIDER,
		createdAt: now,
		updatedAt: now,
		displayName: 'Dr. Quorra Vale',
		color: '#336699'
	});
	appointmentTypesIn(dir).insert({
		id: TYPE,
		createdAt: now,
		updatedAt: now,
		name: 'Follow-up',
		durationMinutes: 20,
		color: '#aa3300'
	});
	await tick();
	const patients = new PatientsState(ws);
	await patients.load();
	const patient = addPatient(patients, 'Testerly', 'Ombra', '1971-05-06');
	const schedule = new ScheduleState(ws);
	/** Books the patient with PROVIDER for TYPE at `start`, 20 minutes unless `over` says otherwise. */
	const book = (start: string, over: Partial<Booking> = {}) =>
		schedule.book({
			patientId: patient.id,
			providerId: PROVIDER,
			typeId: TYPE,
			start,
			end: plus(start, 20),
			...over
		});
	/** Shows the clinic day of an instant, which loads its month. */
	const showDayOf = (instant: string) => schedule.show(localDate(instant, TZ), 'day');
	return { ws, patients, schedule, patient, book, showDayOf };
}

/** Merges two workstations' schedule documents both ways, as the relay would once both are online. */
export function exchangeSchedules(a: WorkspaceState, b: WorkspaceState): void {
	const names = new Set([...a.docs().names(), ...b.docs().names()].filter((n) => n.startsWith('schedule/')));
	for (const n of names) {
		const da = a.docs().open(n);
		const db = b.docs().open(n);
		Y.applyUpdate(db, Y.encodeStateAsUpdate(da, Y.encodeStateVector(db)));
		Y.applyUpdate(da, Y.encodeStateAsUpdate(db, Y.encodeStateVector(da)));
	}
}
