/**
 * Which clinic workspace this browser profile belongs to, and this workstation's random device id.
 * Kept in its own small IndexedDB database; it holds ids and the clinic's name only, never PHI.
 */
import { z } from 'zod';
import { openDatabase, transactionDone } from './idb';

const DB_NAME = 'clinicdesk-device';
const STORE = 'workspaces';

export const deviceRecord = z.object({
	workspaceId: z.uuid(),
	deviceId: z.string().regex(/^[0-9a-z-]{8,64}$/),
	clinicName: z.string().max(120),
	demo: z.boolean(),
	createdAt: z.iso.datetime({ offset: true }),
	/** This workstation syncs with the clinic server it was loaded from. Tokens live in memory only. */
	server: z.boolean().default(false),
	/** Ids of the users who logged in here, most recent first, for the lock screen. */
	recentUsers: z.array(z.uuid()).max(12).default([]),
	/**
	 * Attached files written here that the server has not confirmed yet (document names: ids only).
	 * They are opened at every login until they have synced, since file documents are not preloaded.
	 */
	pendingUploads: z.array(z.string().max(80)).max(500).default([]),
	/** Wrong passphrases in a row per user id on this workstation, and when the last one was. */
	failures: z
		.record(z.string().max(64), z.object({ count: z.number().int().min(0), at: z.number() }))
		.default({})
});
export type DeviceRecord = z.output<typeof deviceRecord>;

async function run<T>(
	idb: IDBFactory,
	mode: IDBTransactionMode,
	fn: (s: IDBObjectStore) => IDBRequest<T>
): Promise<T> {
	const db = await openDatabase(idb, DB_NAME, 1, (d) =>
		d.createObjectStore(STORE, { keyPath: 'workspaceId' })
	);
	try {
		const tx = db.transaction(STORE, mode);
		const req = fn(tx.objectStore(STORE));
		await transactionDone(tx);
		return req.result;
	} finally {
		db.close();
	}
}

/** The workspaces this browser has; a record that fails validation is ignored, not trusted. */
export async function listWorkspaces(idb: IDBFactory): Promise<DeviceRecord[]> {
	const rows = await run<unknown[]>(idb, 'readonly', (s) => s.getAll());
	return rows.flatMap((r) => {
		const p = deviceRecord.safeParse(r);
		return p.success ? [p.data] : [];
	});
}

export async function saveWorkspace(idb: IDBFactory, rec: z.input<typeof deviceRecord>): Promise<void> {
	await run(idb, 'readwrite', (s) => s.put(deviceRecord.parse(rec)));
}

export async function forgetWorkspace(idb: IDBFactory, workspaceId: string): Promise<void> {
	await run(idb, 'readwrite', (s) => s.delete(workspaceId));
}

export function workspaceDbName(workspaceId: string): string {
	return `clinicdesk-${workspaceId}`;
}

export function newDeviceId(): string {
	return `ws-${crypto.randomUUID().slice(0, 13)}`;
}
