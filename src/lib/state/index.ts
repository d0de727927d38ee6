import { PatientDocumentsState } from './documents.svelte';
import { MergesState } from './merges.svelte';
import { PatientsState } from './patients.svelte';
import { FeedsState } from './feeds.svelte';
import { ScheduleState } from './schedule.svelte';
import { workspace } from './workspace.svelte';

export { workspace, DEMO_PASSPHRASE } from './workspace.svelte';
export { connectivity } from './connectivity.svelte';
export { pwa } from './pwa.svelte';

export const patients = new PatientsState(workspace);
export const schedule = new ScheduleState(workspace);
export const merges = new MergesState(workspace, patients);
export const feeds = new FeedsState(workspace, schedule);
schedule.onChanged(() => feeds.schedulePublish());
/** Clears its own state at lock (it registers with workspace.onLock). */
export const patientDocuments = new PatientDocumentsState(workspace);

// What a screen read is dropped with the keys when the session ends.
workspace.onLock(() => {
	patients.reset();
	schedule.reset();
	feeds.reset();
});
