/**
 * What a sync step 1 costs the relay's one thread when the subscriber already has everything (a
 * workstation's resync every minute, its barrier a second after its edits): Yjs writes the whole
 * delete set into every step 2, and finding it walks every struct of the document. Measured on the
 * large clinic's documents (support/large-clinic.ts: 61 documents, ~98,000 appointments, 20,000
 * patients), each loaded into the relay's own SharedDoc in this process:
 *
 * - fresh: `Y.encodeStateAsUpdate(doc, stateVector)`, what every answer cost before SharedDoc kept it;
 * - cached: SharedDoc's answer once it has answered that document's version already (the first
 *   answer after a change costs the same as fresh).
 *
 * Each is the median of 5 per document, summed over one workstation's resync of every document.
 * BENCH_SMOKE=1: a tiny clinic.
 */
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { SharedDoc, type Subscriber } from '../sync-server/shared-doc';
import { emit, log, median, SMOKE } from './lib';
import { buildClinicDocs, LARGE, type ClinicSize } from './support/large-clinic';

const SIZE: ClinicSize = SMOKE ? { patients: 60, monthsBack: 1, monthsAhead: 1 } : LARGE;
const RUNS = 5;

const step1 = (sv: Uint8Array) => {
	const e = encoding.createEncoder();
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint(e, 0);
	encoding.writeVarUint8Array(e, sv);
	return encoding.toUint8Array(e);
};

function ms(fn: () => void): number {
	const t0 = performance.now();
	fn();
	return performance.now() - t0;
}

function main(): void {
	const clinic = buildClinicDocs(SIZE);
	const rows: {
		group: string;
		fresh: number;
		cached: number;
		first: number;
	}[] = [];
	for (const [name, update] of clinic.docs) {
		const shared = new SharedDoc(name, () => {});
		shared.load([update]);
		const sv = Y.encodeStateVector(shared.doc);
		let answers = 0;
		const sub: Subscriber = {
			canWrite: () => false,
			identity: () => ({ userId: 'bench', role: 'front-desk' }),
			send: () => void (answers += 1)
		};
		shared.subscribe(sub);
		const fresh = median(Array.from({ length: RUNS }, () => ms(() => Y.encodeStateAsUpdate(shared.doc, sv))));
		const message = step1(sv);
		const first = ms(() => shared.receive(sub, message));
		const cached = median(Array.from({ length: RUNS }, () => ms(() => shared.receive(sub, message))));
		if (answers !== RUNS + 2) throw new Error(`${answers} messages for ${RUNS + 1} step 1s`);
		// Names only say which kind of document: no clinic data in them.
		rows.push({ group: name.split('/')[0] ?? name, fresh, cached, first });
		shared.destroy();
	}
	const sum = (f: (r: (typeof rows)[number]) => number, group?: string) =>
		rows.filter((r) => !group || r.group === group).reduce((s, r) => s + f(r), 0);
	for (const group of new Set(rows.map((r) => r.group))) {
		const n = rows.filter((r) => r.group === group).length;
		const max = Math.max(...rows.filter((r) => r.group === group).map((r) => r.fresh));
		log(
			`${group}: ${n} docs, fresh ${sum((r) => r.fresh, group).toFixed(1)} ms (max ${max.toFixed(1)}), ` +
				`cached ${sum((r) => r.cached, group).toFixed(2)} ms, first answer ${sum((r) => r.first, group).toFixed(1)} ms`
		);
	}
	const fresh = sum((r) => r.fresh);
	const cached = sum((r) => r.cached);
	const notes =
		`${rows.length} documents of the large clinic (${clinic.appointments} appointments, ${clinic.patients} patients), ` +
		`each in the relay's SharedDoc; median of ${RUNS} answers each, summed: one workstation's resync of all of them`;
	emit({
		name: 'relay: step 1 from an up-to-date subscriber, every document once, fresh',
		unit: 'ms',
		value: Math.round(fresh * 10) / 10,
		notes: `${notes}; Y.encodeStateAsUpdate (what every answer cost before); largest ${Math.max(...rows.map((r) => r.fresh)).toFixed(1)} ms`
	});
	emit({
		name: 'relay: step 1 from an up-to-date subscriber, every document once, cached',
		unit: 'ms',
		value: Math.round(cached * 100) / 100,
		baseline: Math.round(fresh * 10) / 10,
		baselineName: 'fresh',
		notes: `${notes}; SharedDoc's answer kept per document version (the first after a change costs as fresh)`
	});
}

main();
