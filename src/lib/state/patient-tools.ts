/**
 * The states only the patient screens use (merging, dismissed duplicates, attached documents). Kept
 * out of `$lib/state` so the app's first load, which opens on the schedule, does not carry them or
 * their schemas (≈4 KB gzip); the routes that need them import this module.
 */
import { PatientDocumentsState } from './documents.svelte';
import { MergesState } from './merges.svelte';
import { patients, workspace } from './index';

export const merges = new MergesState(workspace, patients);
/** Clears its own state at lock (it registers with workspace.onLock). */
export const patientDocuments = new PatientDocumentsState(workspace);
