/**
 * The patient list after its first read follows changes record by record: a new patient lands in
 * its sorted place, a renamed one moves, a deleted one leaves, a broken one is quarantined — and a
 * colleague's edit of one patient leaves every other patient object untouched.
 */
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { allPatientDocs, patientsDocFor } from '../crdt/layout';
import { PatientsState } from './patients.svelte';
import { addPatient, scheduleWorkspace as setup, tick } from './schedule-fixtures';

describe('patients state, incremental reads', () => {
	it('keeps the list sorted by name through inserts, renames, deletions and broken records', async () => {
		const { ws, patients, patient } = await setup();
		const names = () => patients.list.map((p) => p.familyName);
		const b = addPatient(patients, 'Brightwater', 'Ilse', '1980-02-03');
		const z = addPatient(patients, 'Zephyrine', 'Odo', '1990-04-05');
		addPatient(patients, 'Abernathy', 'Rue', '1965-07-08');
		expect(names()).toEqual(['Abernathy', 'Brightwater', 'Testerly', 'Zephyrine']);
		const untouched = patients.get(patient.id);

		// A colleague renames Zephyrine (a remote transaction on the shard's map).
		const zDoc = ws.docs().open(patientsDocFor(z.id));
		const zMap = zDoc.getMap<Y.Map<unknown>>('patients').get(z.id)!;
		zDoc.transact(() => zMap.set('familyName', 'Aaronson'), 'remote');
		await tick();
		expect(names()).toEqual(['Aaronson', 'Abernathy', 'Brightwater', 'Testerly']);
		expect(patients.get(patient.id)).toBe(untouched);

		// A bad edit breaks Brightwater: quarantined, gone from the list; repaired, back.
		const bDoc = ws.docs().open(patientsDocFor(b.id));
		const bMap = bDoc.getMap<Y.Map<unknown>>('patients').get(b.id)!;
		bDoc.transact(() => bMap.set('dateOfBirth', 'yesterday'), 'remote');
		await tick();
		expect(names()).toEqual(['Aaronson', 'Abernathy', 'Testerly']);
		expect(ws.quarantined.map((q) => q.id)).toEqual([b.id]);
		bDoc.transact(() => bMap.set('dateOfBirth', '1980-02-03'), 'remote');
		await tick();
		expect(names()).toEqual(['Aaronson', 'Abernathy', 'Brightwater', 'Testerly']);
		expect(ws.quarantined).toEqual([]);

		// Deleted (soft, as the app does, and a hard removal of the key).
		bDoc.transact(() => bMap.set('deletedAt', new Date().toISOString()), 'remote');
		zDoc.transact(() => zDoc.getMap('patients').delete(z.id), 'remote');
		await tick();
		expect(names()).toEqual(['Abernathy', 'Testerly']);
		expect(patients.nameOf(z.id)).toBe('Unknown patient');
	}, 60_000);

	it('reads the shards once when asked twice at once, and not at all after a reset', async () => {
		const { ws, patients: first } = await setup();
		const twice = new PatientsState(ws);
		const observe = vi.spyOn(ws.docs(), 'ready');
		await Promise.all([twice.load(), twice.load()]);
		const shards = observe.mock.calls.length;
		expect(shards).toBe(allPatientDocs().length);
		expect(twice.list.map((p) => p.id)).toEqual(first.list.map((p) => p.id));
		// A new patient appears (once).
		addPatient(twice, 'Quillon', 'Bea', '1999-09-09');
		await tick();
		expect(twice.list.filter((p) => p.familyName === 'Quillon')).toHaveLength(1);

		const dropped = new PatientsState(ws);
		const pending = dropped.load();
		dropped.reset();
		await pending;
		expect(dropped.loaded).toBe(false);
		expect(dropped.list).toEqual([]);
		await dropped.load();
		expect(dropped.loaded).toBe(true);
		observe.mockRestore();
	}, 60_000);
});
