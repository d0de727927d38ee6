import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { forgetWorkspace, listWorkspaces, newDeviceId, saveWorkspace, workspaceDbName } from './device';

const rec = (n: number) => ({
	workspaceId: `00000000-0000-4000-8000-00000000000${n}`,
	deviceId: newDeviceId(),
	clinicName: `Clinic ${n}`,
	demo: false,
	createdAt: '2026-11-28T10:00:00.000Z'
});

describe('device registry', () => {
	it('remembers and forgets workspaces', async () => {
		const idb = new IDBFactory();
		expect(await listWorkspaces(idb)).toEqual([]);
		await saveWorkspace(idb, rec(1));
		await saveWorkspace(idb, rec(2));
		expect((await listWorkspaces(idb)).map((r) => r.clinicName).sort()).toEqual(['Clinic 1', 'Clinic 2']);
		await forgetWorkspace(idb, rec(1).workspaceId);
		expect((await listWorkspaces(idb)).map((r) => r.clinicName)).toEqual(['Clinic 2']);
	});

	it('ignores a corrupt entry instead of trusting it', async () => {
		const idb = new IDBFactory();
		await saveWorkspace(idb, rec(1));
		await new Promise<void>((resolve, reject) => {
			const r = idb.open('clinicdesk-device', 1);
			r.onsuccess = () => {
				const tx = r.result.transaction('workspaces', 'readwrite');
				tx.objectStore('workspaces').put({ workspaceId: 'not-a-uuid', deviceId: 42 });
				tx.oncomplete = () => (r.result.close(), resolve());
				tx.onerror = () => reject(tx.error);
			};
		});
		expect((await listWorkspaces(idb)).map((r) => r.clinicName)).toEqual(['Clinic 1']);
	});

	it('names databases and devices without anything a person typed', () => {
		expect(workspaceDbName(rec(1).workspaceId)).toBe(`clinicdesk-${rec(1).workspaceId}`);
		expect(newDeviceId()).toMatch(/^ws-[0-9a-f-]{13}$/);
	});
});
