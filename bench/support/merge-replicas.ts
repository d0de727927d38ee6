/**
 * The ways merge.bench.ts keeps a schedule month in a Y.Doc, each able to write the month, make the
 * planned offline edits and read the month back the way it would to show it.
 *
 * - app:         the app's own code: `appointmentsIn(doc)` (RecordCollection: a nested Y.Map per
 *                record, zod on every write and read), `patch(id, patch)` as `AppointmentWriter`
 *                calls it (no per-field change marks since 2026-11-28), `insert` for bookings. Since
 *                the "overlay" change a booking is its map plus one `~base` string (2 items, not ~13).
 * - app+history: the same, plus the history event `ScheduleStore.event` inserts beside every edit
 *                (in the same month document, naming the changed fields of an edit or move) — the
 *                document the app really syncs. As `AppointmentWriter` does: an edit and its event
 *                in one transaction (`ScheduleStore.transact`), a booking and its event in two
 *                (`insertAppointment`, then `event`). Since the "json-string" change one compact JSON
 *                string per event (no `id`, no `updatedAt` equal to `createdAt`).
 * - app-nested, app-nested+history: the two above with bookings written field by field, as before
 *                the "overlay" change (one diff each way only, MERGE_OLD=1).
 * - app+history-json: app+history as it was written before the "json-string" change: one JSON
 *                object per event (`layout: 'json'`), bookings field by field (one diff each way only).
 * - app-marks, app-marks+history: app and app+history as the app wrote them until 2026-11-28 — a
 *                `~changed.<field>` mark per changed field, and events as nested Y.Maps without
 *                `fields` — kept to measure the change in the same run (one diff each way only).
 * - raw-json:    what a Yjs user would write first: one top-level Y.Map, a plain JSON object per
 *                appointment, `map.set(id, { ...current, ...patch })` per edit; no validation.
 * - raw-json+history: the same plus the app's history event as a JSON object, in the same
 *                transactions as the app's (no zod): what the history costs a raw Yjs user (one diff
 *                each way only).
 * - raw-json+history-string: the same with the event as the app's compact JSON string (no zod): raw
 *                Yjs writing exactly the app's events (one diff each way only).
 * - raw-nested:  the app's layout (a nested Y.Map per record) written directly: the patched fields
 *                are set, no change marks, no zod. It separates what the layout costs from what the
 *                codec adds.
 *
 * Each edit is one transaction (with its history event, where there is one), as in the app; the old
 * app variants keep bookings field by field. The superseded app variants (`old`) run with MERGE_OLD=1.
 */
import * as Y from 'yjs';
import { RecordCollection } from '../../src/lib/crdt/codec';
import { appointmentEventsIn, appointmentsIn, conflictResolutionsIn } from '../../src/lib/crdt/collections';
import { appointmentEvent } from '../../src/lib/domain/schedule/records';
import { appointment, type Appointment } from '../../src/lib/domain/schedule/schemas';
import type { Edit } from './merge-edits';

export type VariantName =
	| 'app'
	| 'app+history'
	| 'app-nested'
	| 'app-nested+history'
	| 'app+history-json'
	| 'app-marks'
	| 'app-marks+history'
	| 'raw-json'
	| 'raw-json+history'
	| 'raw-json+history-string'
	| 'raw-nested';

export type Delivery = 'diff' | 'stream';

export interface Variant {
	name: VariantName;
	label: string;
	/** The deliveries it is merged by (the superseded app variants: the diff only, to save time). */
	deliveries: readonly Delivery[];
	/** How the app wrote it before a change: measured only with MERGE_OLD=1. */
	old?: true;
	/** Writes the month in one transaction (the state both replicas start from). */
	writeAll(doc: Y.Doc, records: readonly Appointment[]): void;
	/** One planned edit, in its own transaction(s). */
	apply(doc: Y.Doc, edit: Edit, by: string): void;
	/**
	 * The month as the screen needs it: every live appointment as a plain object. For the app this is
	 * `ScheduleStore.readMonth` (appointments and conflict resolutions, validated); `invalid` counts
	 * records the app would quarantine (or, for raw variants, that break the appointment rules).
	 */
	read(doc: Y.Doc): { appointments: Appointment[]; invalid: number };
}

const COLLECTION = 'appointments';

/** Appointments as written before the "overlay" change: a booking field by field (~13 items). */
const nestedAppointmentsIn = (doc: Y.Doc) => new RecordCollection(doc, COLLECTION, appointment);

/** What `AppointmentWriter` writes: the fields it changed, no marks. Returns the changed fields. */
function appEdit(doc: Y.Doc, edit: Edit, appointments = appointmentsIn(doc)): string[] {
	if (edit.kind === 'book') {
		appointments.insert(edit.record);
		return [];
	}
	return appointments.patch(edit.id, edit.patch).changed;
}

/** The app until 2026-11-28: a `~changed.<field>` mark per changed field. */
function markedEdit(doc: Y.Doc, edit: Edit, by: string): void {
	const appointments = nestedAppointmentsIn(doc);
	if (edit.kind === 'book') appointments.insert(edit.record);
	else appointments.update(edit.id, edit.patch, null, { by, at: edit.at });
}

/** The history events' collection as the app wrote it until 2026-11-28: a nested Y.Map per event. */
const nestedEventsIn = (doc: Y.Doc) => new RecordCollection(doc, 'appointmentEvents', appointmentEvent);
/** …and then until the json-string change: one JSON object per event. */
const jsonEventsIn = (doc: Y.Doc) =>
	new RecordCollection(doc, 'appointmentEvents', appointmentEvent, { layout: 'json' });

type EventInput = Parameters<ReturnType<typeof appointmentEventsIn>['insert']>[0];

/**
 * The event `ScheduleStore.event` writes for each kind of edit (ids and slots only), with the
 * empty details it leaves out left out. `fields`: what the edit changed, for a move or an edit.
 */
function historyEvent(edit: Edit, by: string, fields?: string[]): EventInput {
	const event = eventOf(edit, by, fields === undefined);
	if (fields?.length && (event.kind === 'moved' || event.kind === 'edited')) event.fields = fields;
	return Object.fromEntries(
		Object.entries(event).filter(([, v]) => v !== undefined && v !== '')
	) as EventInput;
}

/** `old`: as written until 2026-11-28 (an edit's event repeated its unchanged slot as from and to). */
function eventOf(edit: Edit, by: string, old: boolean): EventInput {
	const base = { id: edit.eventId, createdAt: edit.at, updatedAt: edit.at, by };
	switch (edit.kind) {
		case 'book':
			return {
				...base,
				appointmentId: edit.record.id,
				kind: 'booked' as const,
				to: { start: edit.record.start, end: edit.record.end, providerId: edit.record.providerId }
			};
		case 'status':
			return { ...base, appointmentId: edit.id, kind: 'status' as const, status: edit.patch.status };
		case 'cancel':
			return {
				...base,
				appointmentId: edit.id,
				kind: 'cancelled' as const,
				reason: edit.patch.cancelReason,
				from: edit.from
			};
		case 'move':
			return { ...base, appointmentId: edit.id, kind: 'moved' as const, from: edit.from, to: edit.to };
		case 'notes':
			return {
				...base,
				appointmentId: edit.id,
				kind: 'edited' as const,
				...(old ? { from: edit.from, to: edit.to } : {})
			};
	}
}

/**
 * An edit and its history event as `AppointmentWriter` groups them: one transaction for an edit
 * (`ScheduleStore.transact`), two for a booking (`insertAppointment`, then `event`).
 */
function withEvent(doc: Y.Doc, edit: Edit, write: () => void): void {
	if (edit.kind === 'book') write();
	else doc.transact(write);
}

/** An edit and its history event through the given collections (the app's now, or as it once wrote them). */
function editWithEvent(
	appointments: typeof appointmentsIn,
	events: typeof appointmentEventsIn
): Variant['apply'] {
	return (doc, edit, by) =>
		withEvent(doc, edit, () => {
			const fields = appEdit(doc, edit, appointments(doc));
			events(doc).insert(historyEvent(edit, by, fields));
		});
}

function appRead(doc: Y.Doc): { appointments: Appointment[]; invalid: number } {
	const { records, quarantined } = appointmentsIn(doc).all();
	const resolutions = conflictResolutionsIn(doc).all();
	return {
		appointments: records.filter((a) => !a.deletedAt),
		invalid: quarantined.length + resolutions.quarantined.length
	};
}

const appWriteAll = (doc: Y.Doc, records: readonly Appointment[], appointments = appointmentsIn(doc)) =>
	doc.transact(() => {
		for (const r of records) appointments.insert(r);
	});

function isValid(a: Appointment): boolean {
	// The refinements of the app's schema, without the zod parse a raw Yjs user would not make.
	if (a.status === 'cancelled' && !a.cancelReason) return false;
	if ((a.status === 'arrived' || a.status === 'in-room') && !a.arrivedAt) return false;
	return Date.parse(a.end) > Date.parse(a.start);
}

const nestedWriteAll = (doc: Y.Doc, records: readonly Appointment[]) =>
	appWriteAll(doc, records, nestedAppointmentsIn(doc));

const BOTH: readonly Delivery[] = ['diff', 'stream'];

export const appVariant: Variant = {
	name: 'app',
	label: 'app codec',
	deliveries: BOTH,
	writeAll: appWriteAll,
	apply: (doc, edit) => void appEdit(doc, edit),
	read: appRead
};

export const appHistoryVariant: Variant = {
	name: 'app+history',
	label: 'app codec + history events',
	deliveries: BOTH,
	writeAll: appWriteAll,
	apply: editWithEvent(appointmentsIn, appointmentEventsIn),
	read: appRead
};

export const appNestedVariant: Variant = {
	name: 'app-nested',
	label: 'app codec, old (bookings field by field)',
	deliveries: ['diff'],
	old: true,
	writeAll: nestedWriteAll,
	apply: (doc, edit) => void appEdit(doc, edit, nestedAppointmentsIn(doc)),
	read: appRead
};

export const appNestedHistoryVariant: Variant = {
	name: 'app-nested+history',
	label: 'app codec + history events, old (bookings field by field)',
	deliveries: ['diff'],
	old: true,
	writeAll: nestedWriteAll,
	apply: editWithEvent(nestedAppointmentsIn, appointmentEventsIn),
	read: appRead
};

export const appHistoryJsonVariant: Variant = {
	name: 'app+history-json',
	label: 'app codec + history events, old (JSON object events, bookings field by field)',
	deliveries: ['diff'],
	old: true,
	writeAll: nestedWriteAll,
	apply: editWithEvent(nestedAppointmentsIn, jsonEventsIn),
	read: appRead
};

export const appMarksVariant: Variant = {
	name: 'app-marks',
	label: 'app codec, old (change marks)',
	deliveries: ['diff'],
	old: true,
	writeAll: nestedWriteAll,
	apply: markedEdit,
	read: appRead
};

export const appMarksHistoryVariant: Variant = {
	name: 'app-marks+history',
	label: 'app codec + history events, old (marks, nested events)',
	deliveries: ['diff'],
	old: true,
	writeAll: nestedWriteAll,
	apply(doc, edit, by) {
		markedEdit(doc, edit, by);
		nestedEventsIn(doc).insert(historyEvent(edit, by, undefined));
	},
	read: appRead
};

export const rawJsonVariant: Variant = {
	name: 'raw-json',
	label: 'raw Yjs, JSON value per record',
	deliveries: BOTH,
	writeAll(doc, records) {
		const map = doc.getMap<Appointment>(COLLECTION);
		doc.transact(() => {
			for (const r of records) map.set(r.id, { ...r });
		});
	},
	apply(doc, edit) {
		const map = doc.getMap<Appointment>(COLLECTION);
		doc.transact(() => {
			if (edit.kind === 'book') {
				map.set(edit.record.id, { ...edit.record });
				return;
			}
			const next: Record<string, unknown> = { ...map.get(edit.id), ...edit.patch };
			for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
			map.set(edit.id, next as Appointment);
		});
	},
	read(doc) {
		const appointments: Appointment[] = [];
		let invalid = 0;
		// Yjs hands back the object it stores; copy it so the screen cannot corrupt the doc.
		doc.getMap<Appointment>(COLLECTION).forEach((value) => {
			const a = { ...value };
			if (!isValid(a)) invalid++;
			else if (!a.deletedAt) appointments.push(a);
		});
		return { appointments, invalid };
	}
};

/** The fields a patch changes (`updatedAt` left out), as `RecordCollection.patch` reports them. */
function changedFields(current: Record<string, unknown>, patch: Record<string, unknown>): string[] {
	return Object.entries(patch)
		.filter(([k, v]) =>
			k === 'updatedAt'
				? false
				: v === undefined
					? k in current
					: JSON.stringify(current[k]) !== JSON.stringify(v)
		)
		.map(([k]) => k);
}

/** The string `RecordCollection` writes in the `json-string` layout, without zod. */
function compactEvent(event: EventInput): string {
	const { id: _id, ...rest } = event;
	if (rest.updatedAt === rest.createdAt) delete (rest as Partial<EventInput>).updatedAt;
	return JSON.stringify(rest);
}

/** Raw Yjs JSON plus the app's history event beside each edit, stored as `event` makes it (no zod). */
function rawHistoryVariant(name: VariantName, label: string, event: (e: EventInput) => unknown): Variant {
	return {
		name,
		label,
		deliveries: ['diff'],
		writeAll: rawJsonVariant.writeAll,
		apply(doc, edit, by) {
			withEvent(doc, edit, () => {
				const current = edit.kind === 'book' ? {} : { ...doc.getMap<Appointment>(COLLECTION).get(edit.id) };
				rawJsonVariant.apply(doc, edit, by);
				const fields = edit.kind === 'book' ? [] : changedFields(current, edit.patch);
				doc.getMap<unknown>('appointmentEvents').set(edit.eventId, event(historyEvent(edit, by, fields)));
			});
		},
		read: rawJsonVariant.read
	};
}

/** The same JSON value as the app's event used to be. */
export const rawJsonHistoryVariant = rawHistoryVariant(
	'raw-json+history',
	'raw Yjs JSON + history events',
	(e) => e
);
export const rawJsonHistoryStringVariant = rawHistoryVariant(
	'raw-json+history-string',
	'raw Yjs JSON + history events as the app’s strings',
	compactEvent
);

export const rawNestedVariant: Variant = {
	name: 'raw-nested',
	label: 'raw Yjs, nested Y.Map per record',
	deliveries: BOTH,
	writeAll(doc, records) {
		const map = doc.getMap<Y.Map<unknown>>(COLLECTION);
		doc.transact(() => {
			for (const r of records) {
				const ymap = new Y.Map<unknown>();
				for (const [k, v] of Object.entries(r)) if (v !== undefined) ymap.set(k, v);
				map.set(r.id, ymap);
			}
		});
	},
	apply(doc, edit) {
		const map = doc.getMap<Y.Map<unknown>>(COLLECTION);
		doc.transact(() => {
			if (edit.kind === 'book') {
				const ymap = new Y.Map<unknown>();
				for (const [k, v] of Object.entries(edit.record)) if (v !== undefined) ymap.set(k, v);
				map.set(edit.record.id, ymap);
				return;
			}
			const ymap = map.get(edit.id)!;
			for (const [k, v] of Object.entries(edit.patch)) {
				if (v === undefined) ymap.delete(k);
				else ymap.set(k, v);
			}
		});
	},
	read(doc) {
		const appointments: Appointment[] = [];
		let invalid = 0;
		doc.getMap<Y.Map<unknown>>(COLLECTION).forEach((ymap) => {
			const a = ymap.toJSON() as Appointment;
			if (!isValid(a)) invalid++;
			else if (!a.deletedAt) appointments.push(a);
		});
		return { appointments, invalid };
	}
};

export const variants: readonly Variant[] = [
	appVariant,
	appHistoryVariant,
	appNestedVariant,
	appNestedHistoryVariant,
	appHistoryJsonVariant,
	appMarksVariant,
	appMarksHistoryVariant,
	rawJsonVariant,
	rawJsonHistoryVariant,
	rawJsonHistoryStringVariant,
	rawNestedVariant
];
