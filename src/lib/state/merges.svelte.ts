/**
 * Merging duplicate patients. A merge writes the chosen fields into the kept record, retires the other
 * (soft-deleted, `mergedInto` the kept one), moves its appointments and documents to the kept record,
 * and keeps a merge record with everything needed to undo it — until someone confirms it. Every step
 * is audited (ids only).
 *
 * Other workstations may be editing either record meanwhile: the merge writes only the fields it
 * changes, and Undo restores only those, so a concurrent change to another field survives both.
 */
import { displayName, type Patient } from '../domain';
import {
	MERGE_FIELDS,
	mergedFields,
	pairKey,
	type MergeChoice,
	type MergeField,
	type PatientMerge
} from '../domain/patients/duplicates';
import { appointmentsIn, dismissalsIn, documentsIn, mergesIn, patientsIn } from '../crdt/collections';
import { isDocName, patientsDocFor, type DocName } from '../crdt/layout';
import type { PatientsState } from './patients.svelte';
import type { WorkspaceState } from './workspace.svelte';

export class MergesState {
	constructor(
		private readonly ws: WorkspaceState,
		private readonly patients: PatientsState
	) {}

	/**
	 * Merges `otherId` into `keepId` with the given field choices; returns the merge record's id.
	 * Throws (before writing anything) if either record is missing or already merged.
	 */
	async merge(
		keepId: string,
		otherId: string,
		choices: Partial<Record<MergeField, MergeChoice>>
	): Promise<string> {
		const by = this.requireWriter();
		const keep = this.patients.get(keepId);
		const other = this.patients.get(otherId);
		if (!keep || !other || keepId === otherId) throw new Error('Choose two different patients on file');
		const hub = this.ws.docs();
		const now = new Date().toISOString();
		const patch: Partial<Patient> = mergedFields(keep, other, choices);
		patch.otherMrns = [...new Set([...keep.otherMrns, other.mrn, ...other.otherMrns])].filter(
			(m) => m !== keep.mrn
		);
		const keptBefore: Record<string, unknown> = {};
		const keptCleared: string[] = [];
		for (const f of Object.keys(patch) as (keyof Patient)[]) {
			if (keep[f] === undefined) keptCleared.push(f);
			else keptBefore[f] = keep[f];
		}

		// Appointments of the other record, in every schedule month this workstation can open.
		const appointments = await this.patients.appointmentsOf(otherId);
		const movedAppointments: PatientMerge['movedAppointments'] = [];
		for (const a of appointments) movedAppointments.push({ doc: scheduleDocOf(a.start), id: a.id });
		for (const m of movedAppointments) {
			const doc = await hub.ready(m.doc as DocName);
			appointmentsIn(doc).update(m.id, { patientId: keepId, updatedAt: now });
		}
		// Documents: their metadata lives in the patient's shard, so it moves shard if needed.
		const movedDocuments = await this.moveDocuments(otherId, keepId, now);

		this.patients.update(keepId, patch);
		patientsIn(hub.open(patientsDocFor(otherId))).update(otherId, {
			deletedAt: now,
			mergedInto: keepId,
			updatedAt: now
		});
		const id = crypto.randomUUID();
		mergesIn(hub.open(patientsDocFor(keepId))).insert({
			id,
			createdAt: now,
			updatedAt: now,
			keptId: keepId,
			mergedId: otherId,
			keptBefore,
			keptCleared,
			movedAppointments,
			movedDocuments,
			status: 'pending',
			by
		});
		this.ws.audit('change', 'patient-merge', id);
		this.ws.audit('change', 'patient', keepId);
		this.ws.audit('delete', 'patient', otherId);
		return id;
	}

	/** Pending merges involving the kept patient (for the Undo / Confirm banner). */
	pendingFor(keepId: string): PatientMerge[] {
		const col = mergesIn(this.ws.docs().open(patientsDocFor(keepId)));
		return col
			.all()
			.records.filter((m) => m.keptId === keepId && m.status === 'pending')
			.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
	}

	/** Puts everything back as it was before the merge (fields changed since by others stay). */
	async undo(keepId: string, mergeId: string): Promise<void> {
		const by = this.requireWriter();
		const hub = this.ws.docs();
		const merges = mergesIn(hub.open(patientsDocFor(keepId)));
		const r = merges.get(mergeId);
		if (!r?.ok || r.value.status !== 'pending') throw new Error('This merge can no longer be undone');
		const m = r.value;
		const now = new Date().toISOString();
		const restore: Record<string, unknown> = { ...m.keptBefore };
		for (const f of m.keptCleared) restore[f] = undefined;
		this.patients.update(m.keptId, restore as Partial<Patient>);
		patientsIn(hub.open(patientsDocFor(m.mergedId))).update(m.mergedId, {
			deletedAt: undefined,
			mergedInto: undefined,
			updatedAt: now
		});
		for (const a of m.movedAppointments) {
			if (!isDocName(a.doc)) continue;
			const doc = await hub.ready(a.doc);
			if (appointmentsIn(doc).has(a.id))
				appointmentsIn(doc).update(a.id, { patientId: m.mergedId, updatedAt: now });
		}
		await this.moveDocuments(m.keptId, m.mergedId, now, new Set(m.movedDocuments));
		merges.update(mergeId, { status: 'undone', decidedBy: by, decidedAt: now, updatedAt: now });
		this.ws.audit('change', 'patient-merge', mergeId);
	}

	/** Makes the merge final: it can no longer be undone from the app. */
	confirm(keepId: string, mergeId: string): void {
		const by = this.requireWriter();
		const merges = mergesIn(this.ws.docs().open(patientsDocFor(keepId)));
		const now = new Date().toISOString();
		merges.update(mergeId, { status: 'confirmed', decidedBy: by, decidedAt: now, updatedAt: now });
		this.ws.audit('change', 'patient-merge', mergeId);
	}

	/** "Not the same person": the pair leaves the duplicates list on every workstation. */
	dismiss(a: string, b: string): void {
		const by = this.requireWriter();
		const now = new Date().toISOString();
		const [first, second] = a < b ? [a, b] : [b, a];
		dismissalsIn(this.ws.docs().open(patientsDocFor(first))).insert({
			id: crypto.randomUUID(),
			createdAt: now,
			updatedAt: now,
			a: first,
			b: second,
			by
		});
	}

	/** Dismissed pairs across every shard, as `pairKey` strings. */
	dismissed(): Set<string> {
		const out = new Set<string>();
		const hub = this.ws.docs();
		for (const name of hub.names()) {
			if (!/^patients\/[0-9a-f]$/.test(name)) continue;
			for (const d of dismissalsIn(hub.open(name)).all().records)
				if (!d.deletedAt) out.add(pairKey(d.a, d.b));
		}
		return out;
	}

	/** Display names for the merge screen (from the live list). */
	label(id: string): string {
		const p = this.patients.get(id);
		return p ? `${displayName(p)} · ${p.mrn}` : 'Patient not on this workstation';
	}

	/** Moves document metadata from one patient to another; `only` limits it to those ids. */
	private async moveDocuments(
		fromId: string,
		toId: string,
		now: string,
		only?: Set<string>
	): Promise<string[]> {
		const hub = this.ws.docs();
		const from = documentsIn(await hub.ready(patientsDocFor(fromId)));
		const to = documentsIn(await hub.ready(patientsDocFor(toId)));
		const moved: string[] = [];
		for (const d of from.all().records) {
			if (d.patientId !== fromId || d.deletedAt || (only && !only.has(d.id))) continue;
			if (from === to || patientsDocFor(fromId) === patientsDocFor(toId)) {
				from.update(d.id, { patientId: toId, updatedAt: now });
			} else if (to.has(d.id)) {
				to.update(d.id, { ...d, patientId: toId, deletedAt: undefined, updatedAt: now });
				from.update(d.id, { deletedAt: now, updatedAt: now });
			} else {
				to.insert({ ...d, patientId: toId, updatedAt: now });
				from.update(d.id, { deletedAt: now, updatedAt: now });
			}
			moved.push(d.id);
		}
		return moved;
	}

	private requireWriter(): string {
		const by = this.ws.session?.user.id;
		if (!by || !this.ws.can('patients', 'write')) throw new Error('Your role cannot change patient records');
		return by;
	}
}

/** The fields the merge screen offers, in display order. */
export const MERGE_SCREEN_FIELDS: readonly MergeField[] = MERGE_FIELDS;

function scheduleDocOf(startIso: string): string {
	return `schedule/${startIso.slice(0, 7)}`;
}
