import { PatientsState } from './patients.svelte';
import { FeedsState } from './feeds.svelte';
import { ScheduleState } from './schedule.svelte';
import { workspace } from './workspace.svelte';

export { workspace, DEMO_PASSPHRASE } from './workspace.svelte';
export { connectivity } from './connectivity.svelte';
export { pwa } from './pwa.svelte';

export const patients = new PatientsState(workspace);
export const schedule = new ScheduleState(workspace);
export const feeds = new FeedsState(workspace, schedule);
schedule.onChanged(() => feeds.schedulePublish());
// `merges` and `patientDocuments` live in ./patient-tools (loaded with the patient screens).

// What a screen read is dropped with the keys when the session ends.
workspace.onLock(() => {
	patients.reset();
	schedule.reset();
	feeds.reset();
});
