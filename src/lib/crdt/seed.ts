import type * as Y from 'yjs';
import type { DemoClinic } from '../domain/demo';
import { scheduleMonth } from '../domain';
import {
	appointmentTypesIn,
	appointmentsIn,
	availabilityExceptionsIn,
	availabilityTemplatesIn,
	clinicsIn,
	patientsIn,
	providersIn,
	roomsIn,
	waitlistIn
} from './collections';
import { directoryDoc, patientsDocFor, scheduleCommonDoc, scheduleDoc, type DocName } from './layout';

export const SEED_ORIGIN = Symbol('seed');

/**
 * Writes a whole clinic (a demo, or an import) into its documents, one transaction per document so
 * each document produces a single update to store and sync.
 */
export function writeClinic(open: (name: DocName) => Y.Doc, data: DemoClinic): DocName[] {
	const byDoc = new Map<DocName, (() => void)[]>();
	const add = (name: DocName, fn: () => void) => {
		const list = byDoc.get(name) ?? [];
		list.push(fn);
		byDoc.set(name, list);
	};
	const dir = open(directoryDoc());
	add(directoryDoc(), () => {
		clinicsIn(dir).insert(data.clinic);
		for (const p of data.providers) providersIn(dir).insert(p);
		for (const r of data.rooms) roomsIn(dir).insert(r);
		for (const t of data.appointmentTypes) appointmentTypesIn(dir).insert(t);
	});
	const common = scheduleCommonDoc();
	if (data.availabilityTemplates.length + data.availabilityExceptions.length + data.waitlist.length > 0) {
		const doc = open(common);
		add(common, () => {
			for (const t of data.availabilityTemplates) availabilityTemplatesIn(doc).insert(t);
			for (const e of data.availabilityExceptions) availabilityExceptionsIn(doc).insert(e);
			for (const w of data.waitlist) waitlistIn(doc).insert(w);
		});
	}
	for (const p of data.patients) {
		const name = patientsDocFor(p.id);
		add(name, () => patientsIn(open(name)).insert(p));
	}
	for (const a of data.appointments) {
		const name = scheduleDoc(scheduleMonth(a.start));
		add(name, () => appointmentsIn(open(name)).insert(a));
	}
	for (const [name, writes] of byDoc) {
		open(name).transact(() => {
			for (const w of writes) w();
		}, SEED_ORIGIN);
	}
	return [...byDoc.keys()];
}
