import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { generateDemoClinic } from '../domain/demo';
import {
	appointmentsIn,
	availabilityExceptionsIn,
	availabilityTemplatesIn,
	patientsIn,
	providersIn,
	waitlistIn
} from './collections';
import { directoryDoc, scheduleCommonDoc, type DocName } from './layout';
import { SEED_ORIGIN, writeClinic } from './seed';

const demo = generateDemoClinic({
	seed: 42,
	today: '2026-11-16',
	patients: 120,
	monthsBack: 1,
	monthsAhead: 1
});

function seed() {
	const docs = new Map<DocName, Y.Doc>();
	const updates = new Map<DocName, number>();
	const names = writeClinic((name) => {
		let doc = docs.get(name);
		if (!doc) {
			docs.set(name, (doc = new Y.Doc()));
			doc.on('update', (_u: Uint8Array, origin: unknown) => {
				expect(origin).toBe(SEED_ORIGIN);
				updates.set(name, (updates.get(name) ?? 0) + 1);
			});
		}
		return doc;
	}, demo);
	return { docs, names, updates };
}

describe('writeClinic', () => {
	it('writes provider hours, holidays and the waitlist into schedule/common', () => {
		const { docs, names } = seed();
		expect(names).toContain(scheduleCommonDoc());
		const common = docs.get(scheduleCommonDoc())!;
		const templates = availabilityTemplatesIn(common).all();
		const exceptions = availabilityExceptionsIn(common).all();
		const waitlist = waitlistIn(common).all();
		for (const r of [templates, exceptions, waitlist]) expect(r.quarantined).toEqual([]);
		const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
		expect(byId(templates.records)).toEqual(byId(demo.availabilityTemplates));
		expect(byId(exceptions.records)).toEqual(byId(demo.availabilityExceptions));
		expect(byId(waitlist.records)).toEqual(byId(demo.waitlist));
		expect(demo.availabilityTemplates).toHaveLength(5);
		expect(demo.availabilityExceptions.length).toBeGreaterThan(0);
		expect(demo.waitlist).toHaveLength(3);
		// Nothing else lands in schedule/common, and the hours are not in the monthly documents.
		expect([...common.share.keys()].sort()).toEqual([
			'availabilityExceptions',
			'availabilityTemplates',
			'waitlist'
		]);
		expect(providersIn(docs.get(directoryDoc())!).size).toBe(5);
		const patients = [...docs.entries()].filter(([n]) => n.startsWith('patients/'));
		expect(patients.reduce((s, [, d]) => s + patientsIn(d).size, 0)).toBe(demo.patients.length);
		const monthly = [...docs.entries()].filter(([n]) => /^schedule\/\d{4}-\d{2}$/.test(n));
		expect(monthly.reduce((s, [, d]) => s + appointmentsIn(d).size, 0)).toBe(demo.appointments.length);
		for (const [, d] of monthly) expect(d.share.has('availabilityTemplates')).toBe(false);
	});

	it('writes each document in one transaction, and waitlisted patients are among those written', () => {
		const { docs, names, updates } = seed();
		expect(new Set(names).size).toBe(names.length);
		expect([...updates.keys()].sort()).toEqual([...names].sort());
		expect([...updates.values()].every((count) => count === 1)).toBe(true);
		const written = new Set(
			[...docs.entries()]
				.filter(([n]) => n.startsWith('patients/'))
				.flatMap(([, d]) =>
					patientsIn(d)
						.all()
						.records.map((p) => p.id)
				)
		);
		expect(demo.waitlist.filter((w) => !written.has(w.patientId))).toEqual([]);
	});
});
