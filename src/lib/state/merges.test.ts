/**
 * Merging duplicates end to end over the real state classes (fake-indexeddb): fields chosen, the
 * other record retired, its appointments moved, everything audited, Undo restoring all of it until
 * the merge is confirmed.
 */
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { appointmentsIn } from '../crdt/collections';
import { scheduleDoc } from '../crdt/layout';
import type { AuthClient } from '../sync';
import { MergesState } from './merges.svelte';
import { PatientsState } from './patients.svelte';
import { WorkspaceState } from './workspace.svelte';

const ADMIN = { displayName: 'Ada Admin', username: 'ada', passphrase: 'correct horse battery' };

async function setup() {
	const ws = new WorkspaceState(() => new FakeIDBFactory(), {} as AuthClient);
	await ws.init();
	await ws.createClinic({
		name: 'Synthetic Clinic',
		timeZone: 'America/Chicago',
		slotMinutes: 15,
		admin: ADMIN
	});
	const patients = new PatientsState(ws);
	await patients.load();
	return { ws, patients, merges: new MergesState(ws, patients) };
}

const phone = (number: string) => ({ type: 'mobile' as const, number, canText: false, primary: true });

describe('merging duplicate patients', () => {
	it('merges chosen fields, retires the other record, moves its appointments, and can be undone', async () => {
		const { ws, patients, merges } = await setup();
		const keep = patients.create({
			familyName: 'Quillonary',
			givenName: 'Zarathea',
			dateOfBirth: '1975-04-09',
			phones: [phone('312-555-0101')],
			alerts: ['Needs interpreter']
		} as Parameters<PatientsState['create']>[0]);
		const other = patients.create({
			familyName: 'Quilonary',
			givenName: 'Zara',
			dateOfBirth: '1975-04-09',
			email: 'zara@example.test',
			phones: [phone('312-555-0102')],
			alerts: ['Wheelchair']
		} as Parameters<PatientsState['create']>[0]);
		await new Promise((r) => setTimeout(r, 0));
		expect(patients.possibleDuplicates(keep).map((m) => m.id)).toEqual([other.id]);

		const month = new Date().toISOString().slice(0, 7);
		const doc = ws.docs().open(scheduleDoc(month));
		const apptId = crypto.randomUUID();
		const start = `${month}-10T15:00:00.000Z`;
		appointmentsIn(doc).insert({
			id: apptId,
			createdAt: start,
			updatedAt: start,
			patientId: other.id,
			providerId: crypto.randomUUID(),
			typeId: crypto.randomUUID(),
			start,
			end: `${month}-10T15:20:00.000Z`
		});

		const mergeId = await merges.merge(keep.id, other.id, { email: 'other', alerts: 'both' });
		const merged = patients.get(keep.id)!;
		expect(merged.email).toBe('zara@example.test');
		expect(merged.alerts).toEqual(['Needs interpreter', 'Wheelchair']);
		expect(merged.givenName).toBe('Zarathea');
		expect(merged.otherMrns).toEqual([other.mrn]);
		expect(patients.get(other.id)).toBeUndefined();
		expect(appointmentsIn(doc).get(apptId)).toMatchObject({ ok: true, value: { patientId: keep.id } });
		expect(merges.pendingFor(keep.id).map((m) => m.id)).toEqual([mergeId]);

		await merges.undo(keep.id, mergeId);
		const restored = patients.get(keep.id)!;
		expect(restored.email).toBeUndefined();
		expect(restored.alerts).toEqual(['Needs interpreter']);
		expect(restored.otherMrns).toEqual([]);
		expect(patients.get(other.id)?.mergedInto).toBeUndefined();
		expect(appointmentsIn(doc).get(apptId)).toMatchObject({ ok: true, value: { patientId: other.id } });
		expect(merges.pendingFor(keep.id)).toEqual([]);
		await expect(merges.undo(keep.id, mergeId)).rejects.toThrow(/no longer/);

		const again = await merges.merge(keep.id, other.id, {});
		merges.confirm(keep.id, again);
		expect(merges.pendingFor(keep.id)).toEqual([]);
		await expect(merges.undo(keep.id, again)).rejects.toThrow(/no longer/);

		await ws.auditSettled();
		const trail = await ws.auditTrail();
		trail.stop();
		const mergeEntries = trail.rows.filter((r) => r.recordType === 'patient-merge');
		expect(mergeEntries.map((r) => r.recordId)).toEqual([mergeId, mergeId, again, again]);
		expect(trail.rows.some((r) => r.action === 'delete' && r.recordId === other.id)).toBe(true);
	}, 60_000);

	it('drops a dismissed pair from the duplicates list', async () => {
		const { patients, merges } = await setup();
		const a = patients.create({
			familyName: 'Ombrel',
			givenName: 'Tessary',
			dateOfBirth: '1980-01-01',
			phones: [phone('312-555-0111')]
		} as Parameters<PatientsState['create']>[0]);
		const b = patients.create({
			familyName: 'Vondrake',
			givenName: 'Illomen',
			dateOfBirth: '1990-02-02',
			phones: [phone('(312) 555-0111')]
		} as Parameters<PatientsState['create']>[0]);
		await new Promise((r) => setTimeout(r, 0));
		expect(patients.duplicatePairs(merges.dismissed())).toHaveLength(1);
		merges.dismiss(b.id, a.id);
		expect(patients.duplicatePairs(merges.dismissed())).toEqual([]);
	}, 60_000);
});
