/**
 * The open clinic workspace on this workstation: which clinic, its directory (providers, rooms,
 * appointment types), the documents open in memory and anything that went wrong reading them.
 * One instance, `workspace`, is shared by every screen.
 */
import type * as Y from 'yjs';
import { localDate, type AppointmentType, type Clinic, type Provider, type Room } from '../domain';
import type { QuarantinedRecord } from '../crdt/codec';
import { appointmentTypesIn, clinicsIn, providersIn, roomsIn } from '../crdt/collections';
import { allPatientDocs, directoryDoc, scheduleDoc, type DocName } from '../crdt/layout';
import { SyncState, readTokenClaims } from './sync.svelte';
import {
	forgetWorkspace,
	listWorkspaces,
	newDeviceId,
	saveWorkspace,
	workspaceDbName,
	type DeviceRecord
} from '../persistence/device';
import { deleteDeviceKey, loadOrCreateDeviceKey } from '../persistence/keys';
import { deleteWorkspaceDatabase, type StoreError } from '../persistence/store';
import { DocHub } from './docs';

/**
 * loading → welcome (no clinic on this workstation) → opening → ready; `setup` when this workstation
 * joined a clinic server that has no clinic yet (its first workstation creates or loads one).
 */
export type WorkspaceStatus = 'loading' | 'welcome' | 'opening' | 'setup' | 'ready' | 'error';

export const DEMO_SEED = 20261128;

export class WorkspaceState {
	status = $state<WorkspaceStatus>('loading');
	/** A message for the person at the desk when something failed; never contains PHI. */
	error = $state<string | null>(null);
	device = $state.raw<DeviceRecord | null>(null);
	clinic = $state.raw<Clinic | null>(null);
	providers = $state.raw<Provider[]>([]);
	rooms = $state.raw<Room[]>([]);
	appointmentTypes = $state.raw<AppointmentType[]>([]);
	quarantined = $state.raw<QuarantinedRecord[]>([]);
	storeErrors = $state.raw<StoreError[]>([]);
	newerSchemaDocs = $state.raw<DocName[]>([]);
	/** Why the last attempt to join a clinic server failed, in words for the person at the desk. */
	joinError = $state<string | null>(null);
	readonly sync = new SyncState();

	private hub: DocHub | null = null;
	private readonly quarantineBySource = new Map<DocName, QuarantinedRecord[]>();
	private stopDirectory: (() => void) | null = null;

	constructor(private readonly idb: () => IDBFactory = () => indexedDB) {}

	/** Opens the workspace this browser already has, or shows the welcome screen. */
	async init(): Promise<void> {
		try {
			const [existing] = await listWorkspaces(this.idb());
			if (!existing) {
				this.status = 'welcome';
				return;
			}
			await this.open(existing);
		} catch (e) {
			this.fail('Could not open this workstation’s local data', e);
		}
	}

	async createClinic(input: {
		name: string;
		timeZone: string;
		slotMinutes: 5 | 10 | 15 | 20 | 30;
	}): Promise<void> {
		const now = new Date().toISOString();
		const record: DeviceRecord = this.setupRecord({
			clinicName: input.name.trim().slice(0, 120),
			demo: false
		}) ?? {
			workspaceId: crypto.randomUUID(),
			deviceId: newDeviceId(),
			clinicName: input.name.trim().slice(0, 120),
			demo: false,
			createdAt: now
		};
		await this.create(record, (open) => {
			clinicsIn(open(directoryDoc())).insert({
				id: crypto.randomUUID(),
				createdAt: now,
				updatedAt: now,
				name: input.name,
				timeZone: input.timeZone,
				slotMinutes: input.slotMinutes
			});
		});
	}

	async openDemo(today = new Date()): Promise<void> {
		// Loaded on demand: the generator and its name tables are not part of the app's first load.
		const [{ generateDemoClinic, DEMO_PRESETS }, { writeClinic }] = await Promise.all([
			import('../domain/demo'),
			import('../crdt/seed')
		]);
		// "Today" is the demo clinic's own date, which may differ from this workstation's around midnight.
		const todayIso = localDate(today, DEMO_PRESETS.small.timeZone ?? 'America/Chicago');
		const data = generateDemoClinic({ seed: DEMO_SEED, today: todayIso, ...DEMO_PRESETS.small });
		const record: DeviceRecord = this.setupRecord({ clinicName: data.clinic.name, demo: true }) ?? {
			workspaceId: crypto.randomUUID(),
			deviceId: newDeviceId(),
			clinicName: data.clinic.name,
			demo: true,
			createdAt: new Date().toISOString()
		};
		await this.create(record, (open) => writeClinic(open, data));
	}

	/**
	 * Joins the clinic server a sign-in token is for: this workstation's workspace becomes the
	 * server's clinic, and its documents arrive by sync. The token is checked by the server; here
	 * only its shape is read, to learn which clinic it names.
	 */
	async joinServer(token: string): Promise<void> {
		const claims = readTokenClaims(token.trim());
		if (!claims) {
			this.joinError = 'That is not a ClinicDesk sign-in token. Copy the whole token and try again.';
			return;
		}
		this.joinError = null;
		const record: DeviceRecord = {
			workspaceId: claims.clinic,
			deviceId: newDeviceId(),
			clinicName: 'Clinic server',
			demo: false,
			createdAt: new Date().toISOString(),
			syncToken: token.trim()
		};
		this.status = 'opening';
		try {
			const hub = await this.startHub(record);
			await hub.ready(directoryDoc());
			this.sync.start(hub, { token: record.syncToken!, deviceId: record.deviceId, userName: claims.sub });
			const reached = await this.sync.whenSynced(directoryDoc(), 20_000);
			if (!reached) {
				await this.closeDocs();
				await deleteWorkspaceDatabase(this.idb(), workspaceDbName(record.workspaceId));
				this.joinError =
					this.sync.lastError() ?? 'The clinic server did not answer. Check the network and try again.';
				this.status = 'welcome';
				return;
			}
			await saveWorkspace(this.idb(), record);
			await this.attach(record, hub);
		} catch (e) {
			this.fail('Could not join the clinic server', e);
		}
	}

	/** The hub for screens that open their own documents (schedule months, patient shards). */
	docs(): DocHub {
		if (!this.hub) throw new Error('No clinic is open');
		return this.hub;
	}

	/** Forgets this workstation's local copy: documents, keys and the workspace entry. */
	async resetWorkstation(): Promise<void> {
		const device = this.device;
		await this.closeDocs();
		if (device) {
			await deleteWorkspaceDatabase(this.idb(), workspaceDbName(device.workspaceId));
			await deleteDeviceKey(this.idb(), device.workspaceId);
			await forgetWorkspace(this.idb(), device.workspaceId);
		}
		this.device = null;
		this.clinic = null;
		this.providers = this.rooms = this.appointmentTypes = [];
		this.quarantineBySource.clear();
		this.quarantined = [];
		this.storeErrors = [];
		this.status = 'welcome';
	}

	/** Replaces what one document reported as quarantined; the Admin screen lists them all. */
	reportQuarantine(source: DocName, list: QuarantinedRecord[]): void {
		this.quarantineBySource.set(source, list);
		this.quarantined = [...this.quarantineBySource.values()].flat();
	}

	/** While a joined server has no clinic yet, creating one fills the joined workspace. */
	private setupRecord(change: { clinicName: string; demo: boolean }): DeviceRecord | null {
		return this.status === 'setup' && this.device ? { ...this.device, ...change } : null;
	}

	private async create(record: DeviceRecord, write: (open: (n: DocName) => Y.Doc) => unknown): Promise<void> {
		const reuse = this.status === 'setup' && this.hub !== null;
		this.status = 'opening';
		try {
			const hub = reuse && this.hub ? this.hub : await this.startHub(record);
			const names = [directoryDoc()];
			await hub.ready(directoryDoc());
			write((n) => {
				if (!names.includes(n)) names.push(n);
				return hub.open(n);
			});
			await Promise.all(names.map((n) => hub.ready(n)));
			await hub.flush();
			await saveWorkspace(this.idb(), record);
			await this.attach(record, hub);
		} catch (e) {
			this.fail('Could not set up the clinic on this workstation', e);
		}
	}

	private async open(record: DeviceRecord): Promise<void> {
		this.status = 'opening';
		const hub = await this.startHub(record);
		await hub.ready(directoryDoc());
		if (record.syncToken) {
			this.sync.start(hub, {
				token: record.syncToken,
				deviceId: record.deviceId,
				userName: readTokenClaims(record.syncToken)?.sub ?? record.deviceId
			});
		}
		await this.attach(record, hub);
	}

	private async startHub(record: DeviceRecord): Promise<DocHub> {
		await this.closeDocs();
		const key = await loadOrCreateDeviceKey(this.idb(), record.workspaceId);
		this.hub = new DocHub({
			idb: this.idb(),
			dbName: workspaceDbName(record.workspaceId),
			key,
			onStoreError: (e) => (this.storeErrors = [...this.storeErrors, e]),
			onNewerSchema: (name) => (this.newerSchemaDocs = [...this.newerSchemaDocs, name])
		});
		return this.hub;
	}

	private async attach(record: DeviceRecord, hub: DocHub): Promise<void> {
		const dir = await hub.ready(directoryDoc());
		this.stopDirectory?.();
		const refresh = () => {
			this.readDirectory(dir);
			if (this.status === 'setup' && this.clinic) this.status = 'ready';
		};
		dir.on('update', refresh);
		this.stopDirectory = () => dir.off('update', refresh);
		this.device = record;
		this.readDirectory(dir);
		this.status = this.clinic ? 'ready' : 'setup';
		if (this.clinic && record.clinicName !== this.clinic.name) {
			this.device = { ...record, clinicName: this.clinic.name.slice(0, 120) };
			await saveWorkspace(this.idb(), this.device);
		}
		if (record.syncToken) this.preload(hub);
	}

	/**
	 * A syncing workstation keeps the documents of the coming weeks and every patient on hand, so
	 * that it can work through days without the network.
	 */
	private preload(hub: DocHub): void {
		const now = new Date();
		for (let i = -1; i <= 2; i++) {
			const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
			hub.open(scheduleDoc(d.toISOString().slice(0, 7)));
		}
		for (const name of allPatientDocs()) hub.open(name);
	}

	private readDirectory(dir: Y.Doc): void {
		const clinics = clinicsIn(dir).all();
		const providers = providersIn(dir).all();
		const rooms = roomsIn(dir).all();
		const types = appointmentTypesIn(dir).all();
		this.clinic = clinics.records.find((c) => !c.deletedAt) ?? null;
		this.providers = providers.records.filter((p) => !p.deletedAt).sort(byName((p) => p.displayName));
		this.rooms = rooms.records.filter((r) => !r.deletedAt).sort(byName((r) => r.name));
		this.appointmentTypes = types.records.filter((t) => !t.deletedAt).sort(byName((t) => t.name));
		this.reportQuarantine(directoryDoc(), [
			...clinics.quarantined,
			...providers.quarantined,
			...rooms.quarantined,
			...types.quarantined
		]);
	}

	private async closeDocs(): Promise<void> {
		this.sync.stop();
		this.stopDirectory?.();
		this.stopDirectory = null;
		const hub = this.hub;
		this.hub = null;
		await hub?.close();
	}

	private fail(message: string, e: unknown): void {
		// Error objects from storage may quote record contents; only their name is shown.
		const kind = e instanceof Error ? e.name : 'Error';
		this.error = `${message} (${kind}).`;
		this.status = 'error';
	}
}

function byName<T>(key: (t: T) => string) {
	return (a: T, b: T) => key(a).localeCompare(key(b));
}

export const workspace = new WorkspaceState();
