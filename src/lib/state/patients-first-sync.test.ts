/**
 * A new workstation's first sync brings each patient shard in one large transaction: its records are
 * read when a screen asks for one (`nameOf`, `get`) and otherwise in chunks once the batches stop,
 * not all as they arrive (BENCHMARKS.md, "Large clinic in Chromium").
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { RecordCollection } from '../crdt/codec';
import { patientsIn } from '../crdt/collections';
import { patientsDocFor } from '../crdt/layout';
import { PatientsState } from './patients.svelte';
import { scheduleWorkspace as setup, tick } from './schedule-fixtures';

afterEach(() => vi.restoreAllMocks());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('patients state, a first sync’s large batches', () => {
	it('answers names at once, reads the rest after the batches, and ends as a full read would', async () => {
		const { ws, patients, patient } = await setup();
		const shard = patientsDocFor(patient.id);
		// Another workstation's shard: 700 patients, one of them deleted, one changed afterwards.
		const remote = new Y.Doc();
		const ids: string[] = [];
		while (ids.length < 700) {
			const id = crypto.randomUUID();
			if (patientsDocFor(id) === shard) ids.push(id);
		}
		const now = new Date().toISOString();
		ids.forEach((id, i) =>
			patientsIn(remote).insert({
				...patient,
				id,
				familyName: `Family${String(i).padStart(3, '0')}`,
				mrn: `MRN-${900000 + i}`,
				createdAt: now,
				updatedAt: now,
				...(i === 1 ? { deletedAt: now } : {})
			})
		);
		const reads = vi.spyOn(RecordCollection.prototype, 'get');
		Y.applyUpdate(ws.docs().open(shard), Y.encodeStateAsUpdate(remote), 'remote');
		await tick();
		expect(reads.mock.calls.length).toBeLessThan(50);
		expect(patients.nameOf(ids[0]!)).toContain('Family000');
		expect(patients.get(ids[5]!)?.familyName).toBe('Family005');
		expect(patients.nameOf(ids[1]!)).toBe('Unknown patient');
		// The next MRN already counts the unread records.
		expect(patients.nextMrn()).toMatch(/900700$/);

		// A colleague's edit to one of them while the rest is unread.
		const map = ws.docs().open(shard).getMap<Y.Map<unknown>>('patients');
		ws.docs()
			.open(shard)
			.transact(() => patientsIn(ws.docs().open(shard)).update(ids[5]!, { familyName: 'Zed' }), 'remote');
		await tick();
		expect(patients.get(ids[5]!)?.familyName).toBe('Zed');
		expect(map.size).toBe(701);

		await sleep(1500);
		const fresh = new PatientsState(ws);
		await fresh.load();
		expect(patients.list.map((p) => `${p.id} ${p.familyName}`)).toEqual(
			fresh.list.map((p) => `${p.id} ${p.familyName}`)
		);
		expect(patients.list).toHaveLength(700);
	}, 60_000);
});
