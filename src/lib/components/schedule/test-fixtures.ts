/**
 * Shared fixtures for the schedule's and Admin → Scheduling's component tests: a clinic in Chicago in
 * late 2026, stable ids, providers, types and rooms, and the shared `workspace` set by hand for server
 * renders (no documents opened). Imported only by *.test.ts files.
 */
import { afterAll, beforeAll, vi } from 'vitest';
import type { Appointment, AppointmentType, Clinic, Provider, Room } from '$lib/domain';

export const TZ = 'America/Chicago';
/** When the fixtures' records were created and last changed. */
export const STAMP = '2026-11-20T15:00:00.000Z';

/** A clinic-local time as an instant: 2026-12-01 is a Tuesday; Chicago is UTC-6 in December. */
export const at = (local: string) => new Date(Date.parse(`${local}:00-06:00`)).toISOString();

export const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Id and timestamps of fixture record `n`. */
export const meta = (n: number) => ({ id: id(n), createdAt: STAMP, updatedAt: STAMP });

export function provider(pid: string, displayName: string, over: Partial<Provider> = {}): Provider {
	return {
		id: pid,
		createdAt: STAMP,
		updatedAt: STAMP,
		displayName,
		color: '#2f6fb0',
		active: true,
		...over
	};
}

/** A 30-minute type any provider offers. */
export function appointmentType(tid: string, over: Partial<AppointmentType> = {}): AppointmentType {
	return {
		id: tid,
		createdAt: STAMP,
		updatedAt: STAMP,
		name: 'Follow-up visit',
		durationMinutes: 30,
		color: '#7a4cb0',
		bufferBeforeMinutes: 0,
		bufferAfterMinutes: 0,
		newPatient: false,
		providerIds: [],
		active: true,
		...over
	};
}

export function room(rid: string, name: string, over: Partial<Room> = {}): Room {
	return { id: rid, createdAt: STAMP, updatedAt: STAMP, name, bookable: true, active: true, ...over };
}

/** A booked appointment with empty reason and notes; the caller says when. */
export function appointment(over: Partial<Appointment> & Pick<Appointment, 'start' | 'end'>): Appointment {
	return {
		...meta(1),
		patientId: id(2),
		providerId: id(3),
		typeId: id(4),
		status: 'booked',
		reason: '',
		notes: '',
		...over
	};
}

export const AMES = id(100);
export const BOND = id(101);
/** Two providers for the setup and printing tests. */
export const doctors: Provider[] = [
	provider(AMES, 'Dr. Ames', { credentials: 'MD', color: '#123456' }),
	provider(BOND, 'Dr. Bond', { color: '#654321' })
];

export function testClinic(): Clinic {
	return {
		...meta(999),
		name: 'Test clinic',
		timeZone: TZ,
		slotMinutes: 15,
		idleLockMinutes: 10,
		mrnPattern: 'MRN-{n}',
		demo: false
	};
}

export interface TestWorkspace {
	providers?: Provider[];
	appointmentTypes?: AppointmentType[];
	rooms?: Room[];
}

/**
 * Sets the shared `workspace` to the test clinic with these records before the suite, and clears it,
 * the schedule and every mock after it. `$lib/state` is loaded on first use, not by importing this.
 */
export function useTestWorkspace(records: () => TestWorkspace): void {
	beforeAll(async () => {
		const { workspace } = await import('$lib/state');
		const r = records();
		workspace.clinic = testClinic();
		workspace.providers = r.providers ?? [];
		workspace.appointmentTypes = r.appointmentTypes ?? [];
		workspace.rooms = r.rooms ?? [];
	});
	afterAll(async () => {
		const { schedule, workspace } = await import('$lib/state');
		vi.restoreAllMocks();
		schedule.reset();
		workspace.clinic = null;
		workspace.providers = [];
		workspace.appointmentTypes = [];
		workspace.rooms = [];
		workspace.sync.peers = [];
	});
}

/** Everyone may read; `write` says whether they may also change things. */
export async function canWrite(write: boolean) {
	const { workspace } = await import('$lib/state');
	return vi.spyOn(workspace, 'can').mockImplementation((_scope, need = 'read') => need === 'read' || write);
}

// Grid tests (grid-*.test.ts): the clinic's zone with both daylight-saving changes of 2026.
export const CHICAGO = TZ;
export const SPRING = '2026-03-08'; // 2:00 CST → 3:00 CDT
export const FALL = '2026-11-01'; // 2:00 CDT → 1:00 CST

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

/** An appointment with fresh ids for layout maths; `over` sets anything else. */
export function appt(start: string, end: string, over: Partial<Appointment> = {}): Appointment {
	return appointment({ id: uuid(), patientId: uuid(), providerId: 'p', typeId: 't', start, end, ...over });
}

/** Names and types for `layoutBlocks` without a workspace. */
export const blockSource = {
	patient: () => 'Pat Example',
	type: () => ({ name: 'Checkup', color: '#1d4ed8' })
};
