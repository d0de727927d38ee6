import type * as Y from 'yjs';
import { appointment, appointmentType, clinic, patient, provider, room } from '../domain';
import { patientDocument } from '../domain/patients/documents';
import { keybag, securityPolicy, staffUser } from '../domain/security/users';
import { duplicateDismissal, patientMerge } from '../domain/patients/duplicates';
import { RecordCollection } from './codec';
import { appointmentSeries } from '../domain/schedule/recurrence';
import { availabilityException, availabilityTemplate } from '../domain/schedule/availability-schemas';
import {
	appointmentEvent,
	conflictResolution,
	seriesExceptionRecord,
	waitlistEntry
} from '../domain/schedule/records';

/** Typed accessors for the collections each kind of document holds (see layout.ts). */
export const clinicsIn = (doc: Y.Doc) => new RecordCollection(doc, 'clinic', clinic);
export const providersIn = (doc: Y.Doc) => new RecordCollection(doc, 'providers', provider);
export const roomsIn = (doc: Y.Doc) => new RecordCollection(doc, 'rooms', room);
export const appointmentTypesIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'appointmentTypes', appointmentType);
/**
 * Patients, like appointments below, are written whole once and then edited a field at a time:
 * `overlay` keeps a new patient as 2 Yjs items (its map and the record as one string) instead of ~20,
 * which is most of a large clinic's first sync and of the heap its patient shards hold; edits still
 * merge field by field and keep their "changed by" marks. Patients written as plain nested maps
 * (before) read and edit as before.
 */
export const patientsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'patients', patient, { layout: 'overlay' });
export const documentsIn = (doc: Y.Doc) => new RecordCollection(doc, 'documents', patientDocument);
/**
 * Appointments are booked once and then edited a field or three at a time: `overlay` keeps a booking
 * as 2 Yjs items (its map and the record as one string) instead of ~13, and an edit as its changed
 * fields, each with its `updatedAt` (no `updatedAt` entry of its own), while edits still merge field by
 * field. Bookings written as plain nested maps (before) read and edit as before.
 */
export const appointmentsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'appointments', appointment, { layout: 'overlay' });
export const usersIn = (doc: Y.Doc) => new RecordCollection(doc, 'users', staffUser);
export const keybagsIn = (doc: Y.Doc) => new RecordCollection(doc, 'keybags', keybag);
export const policyIn = (doc: Y.Doc) => new RecordCollection(doc, 'policy', securityPolicy);
export const mergesIn = (doc: Y.Doc) => new RecordCollection(doc, 'merges', patientMerge);
export const dismissalsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'duplicateDismissals', duplicateDismissal);

// schedule/<yyyy-mm>
/**
 * History events are append-only: one compact JSON string each (`json-string`). As a nested map an
 * event was ~9 Yjs items; as a JSON object one item, but Yjs decoded it key by key on every merge; as a
 * string it is one item and one string read, without `id` or `updatedAt` repeated inside (346 → 263
 * characters). Offline merge of 2×5,000 edits: 16–18 % less CPU than JSON objects, within 5–10 % of
 * the same edits without history (BENCHMARKS.md, "Offline merge"). Events written as nested maps or
 * JSON objects by older clients still read.
 */
export const appointmentEventsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'appointmentEvents', appointmentEvent, { layout: 'json-string' });
export const conflictResolutionsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'conflictResolutions', conflictResolution);
// schedule/common
export const seriesIn = (doc: Y.Doc) => new RecordCollection(doc, 'series', appointmentSeries);
export const seriesExceptionsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'seriesExceptions', seriesExceptionRecord);
export const availabilityTemplatesIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'availabilityTemplates', availabilityTemplate);
export const availabilityExceptionsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'availabilityExceptions', availabilityException);
export const waitlistIn = (doc: Y.Doc) => new RecordCollection(doc, 'waitlist', waitlistEntry);
