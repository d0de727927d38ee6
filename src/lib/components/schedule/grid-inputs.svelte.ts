/**
 * What the day and week views read from the shared state for their time grid, in one place: the
 * clinic's zone and slot length, whether this person may write, the names and types on the blocks,
 * conflict markers and colleagues' presence. Create one while a view component initialises.
 */
import { patients, schedule, workspace } from '$lib/state';
import { conflictTexts, indexById, presenceByRecord, sameOrNew, type BlockSource } from './grid';

export class GridInputs {
	readonly timeZone = $derived(schedule.timeZone);
	readonly slotMinutes = $derived(schedule.slotMinutes);
	/** Read-only while the day is painted from the last session's copy (`schedule.previewing`). */
	readonly canWrite = $derived(schedule.canWrite && !schedule.previewing);
	/** Patient names arrive when the patient list loads; types change in Admin → Scheduling. */
	readonly source = $derived.by((): BlockSource => {
		void patients.list;
		// Until the patient list has loaded, names come from the copy the session started with.
		const copyNames = !patients.loaded;
		const types = indexById(workspace.appointmentTypes);
		return {
			patient: (a) =>
				(copyNames ? schedule.previewName(a.patientId) : undefined) ?? patients.nameOf(a.patientId),
			type: (a) => types.get(a.typeId)
		};
	});
	/** What `layoutBlocks` needs besides the appointments. */
	readonly layout = $derived({ slotMinutes: this.slotMinutes, canWrite: this.canWrite, source: this.source });
	// Not reactive: the last map, handed back while its entries stay the same (see `sameOrNew`).
	// eslint-disable-next-line svelte/prefer-svelte-reactivity -- never mutated; only compared with the next
	#conflicts: ReadonlyMap<string, string> = new Map();
	readonly conflicts = $derived.by(
		() => (this.#conflicts = sameOrNew(this.#conflicts, conflictTexts(schedule.conflicts)))
	);
	readonly presence = $derived(presenceByRecord(workspace.sync.peers));
}
