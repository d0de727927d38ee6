/**
 * What the day and week views read from the shared state for their time grid, in one place: the
 * clinic's zone and slot length, whether this person may write, the names and types on the blocks,
 * conflict markers and colleagues' presence. Create one while a view component initialises.
 */
import { patients, schedule, workspace } from '$lib/state';
import { conflictTexts, indexById, presenceByRecord, type BlockSource } from './grid';

export class GridInputs {
	readonly timeZone = $derived(schedule.timeZone);
	readonly slotMinutes = $derived(schedule.slotMinutes);
	readonly canWrite = $derived(schedule.canWrite);
	/** Patient names arrive when the patient list loads; types change in Admin → Scheduling. */
	readonly source = $derived.by((): BlockSource => {
		void patients.list;
		const types = indexById(workspace.appointmentTypes);
		return { patient: (a) => patients.nameOf(a.patientId), type: (a) => types.get(a.typeId) };
	});
	/** What `layoutBlocks` needs besides the appointments. */
	readonly layout = $derived({ slotMinutes: this.slotMinutes, canWrite: this.canWrite, source: this.source });
	readonly conflicts = $derived(conflictTexts(schedule.conflicts));
	readonly presence = $derived(presenceByRecord(workspace.sync.peers));
}
