/**
 * Record codec benchmark: how should an appointment live inside a Y.Doc?
 *
 * For each codec in codecs.ts and each size it measures what a workstation pays: the stored/synced
 * size of the whole doc, opening it (Y.applyUpdate into a fresh doc), the heap the open doc keeps,
 * reading every record out, and 1,000 single-field edits (time and the update bytes they send).
 * It also checks the property that motivates the choice: two devices editing different fields of
 * the same record must both keep their change after they sync.
 *
 * Sizes: 2.5k is one month of schedule for a 5-provider clinic (how documents are partitioned);
 * 10k and 100k show how each codec scales if a document grows past that.
 */
import * as Y from 'yjs';
import { codecs, type BenchCodec, type Fields } from './codecs';
import { makeAppointments, type AppointmentFixture } from './fixtures';
import { emit, gc, heapUsed, keep, log, median, medianOf, release, SMOKE, sizeLabel, timeMs } from './lib';

const SIZES = SMOKE ? [200] : [2_500, 10_000, 100_000];
const EDITS = 1_000;
const MONTH_SIZE = 2_500;
/** ARCHITECTURE.md: partition so that no document grows past ~2 MB. */
const DOC_BYTES_BUDGET = 2_000_000;
// Fixed client ids keep encoded sizes identical between runs; real ones are random uint32s of the
// same width, so they cost the same bytes.
const WRITER_ID = 2_654_435_761;
const READER_ID = 3_141_592_653;

interface Measures {
	insert: number;
	encode: number;
	updateSize: number;
	load: number;
	heap: number;
	readAll: number;
	edits: number;
	editsUpdateSize: number;
	/** How many records the edit measures touched: EDITS, or every record in a smaller doc. */
	editCount: number;
}

function docWithId(clientID: number): Y.Doc {
	const doc = new Y.Doc();
	doc.clientID = clientID;
	return doc;
}

function load(update: Uint8Array): Y.Doc {
	const doc = docWithId(READER_ID);
	Y.applyUpdate(doc, update);
	return doc;
}

function canonical(record: Fields | AppointmentFixture): string {
	return JSON.stringify(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A codec that loses or garbles a record would make its numbers meaningless, so check first. */
function verifyRoundTrip(codec: BenchCodec, doc: Y.Doc, records: readonly AppointmentFixture[]): void {
	const read = new Map(codec.readAll(doc).map((r) => [r.id, canonical(r)]));
	if (read.size !== records.length) throw new Error(`${codec.name}: read ${read.size} of ${records.length}`);
	for (const r of records) {
		if (read.get(r.id) !== canonical(r))
			throw new Error(`${codec.name}: record ${r.id} changed on round trip`);
	}
}

/** Builds the doc the way an import would and encodes it; only the encoded update leaves. */
function insertAndEncode(codec: BenchCodec, records: readonly AppointmentFixture[], runs: number) {
	let source = docWithId(WRITER_ID);
	const insert = medianOf(runs, () => {
		source.destroy();
		source = docWithId(WRITER_ID);
		gc();
		const doc = source;
		return timeMs(() => codec.writeAll(doc, records));
	});
	let update: Uint8Array = new Uint8Array();
	const encode = medianOf(runs, () => {
		gc();
		return timeMs(() => {
			update = Y.encodeStateAsUpdate(source);
		});
	});
	source.destroy();
	return { insert, encode, update };
}

/**
 * One timed load and the heap it keeps. A function of its own so that, when 'before' is read, no
 * variable or interpreter register of a still-running frame points at the previous run's doc: V8 keeps
 * such stale values alive, which made the old doc count as freed and the new one weigh ~0.
 */
function openAndWeigh(update: Uint8Array, keepDoc: boolean): { ms: number; heap: number; doc?: Y.Doc } {
	release();
	const before = heapUsed();
	let doc = new Y.Doc();
	const ms = timeMs(() => {
		doc = load(update);
	});
	keep(doc);
	const heap = heapUsed() - before;
	release();
	if (keepDoc) return { ms, heap, doc };
	doc.destroy();
	return { ms, heap };
}

function measure(codec: BenchCodec, records: readonly AppointmentFixture[], runs: number): Measures {
	const { insert, encode, update } = insertAndEncode(codec, records, runs);

	const loadTimes: number[] = [];
	const heaps: number[] = [];
	let loaded: Y.Doc | undefined;
	for (let i = 0; i < runs; i++) {
		// Only the last run's doc is kept, for reading and editing below.
		const run = openAndWeigh(update, i === runs - 1);
		loadTimes.push(run.ms);
		heaps.push(run.heap);
		loaded = run.doc;
	}
	if (!loaded) throw new Error('runs must be at least 1');
	const opened = loaded;
	verifyRoundTrip(codec, opened, records);

	const readAll = medianOf(runs, () => {
		gc();
		let count = 0;
		const ms = timeMs(() => {
			count = codec.readAll(opened).length;
		});
		if (count !== records.length) throw new Error(`${codec.name}: read ${count} records`);
		return ms;
	});

	// Spread the edited records over the whole map rather than editing its first 1,000 keys.
	const step = Math.max(1, Math.floor(records.length / EDITS));
	const ids = records
		.filter((_, i) => i % step === 0)
		.slice(0, EDITS)
		.map((r) => r.id);
	let editsUpdateSize = 0;
	// The first run edits the doc already open (reads do not change it), which saves one full load:
	// at 100k records that load takes seconds.
	let reusable: Y.Doc | undefined = opened;
	const edits = medianOf(runs, () => {
		const doc = reusable ?? load(update);
		reusable = undefined;
		let bytes = 0;
		doc.on('update', (u: Uint8Array) => {
			bytes += u.byteLength;
		});
		gc();
		// One transaction per edit, as when a person saves one change at a time.
		const ms = timeMs(() => {
			for (const id of ids) doc.transact(() => codec.setField(doc, id, 'notes', 'Running 10 minutes late'));
		});
		editsUpdateSize = bytes;
		doc.destroy();
		return ms;
	});

	return {
		insert,
		encode,
		updateSize: update.byteLength,
		load: median(loadTimes),
		heap: median(heaps),
		readAll,
		edits,
		editsUpdateSize,
		editCount: ids.length
	};
}

/**
 * Device A changes the status while device B, offline, changes the notes of the same appointment;
 * then they exchange updates. Tried with both client-id orders, because Yjs breaks ties by client id
 * and a codec must keep both edits whichever device wins the tie.
 */
function keepsConcurrentFieldEdits(codec: BenchCodec): boolean {
	const [record] = makeAppointments(1, 7);
	if (!record) throw new Error('no fixture');
	const status = record.status === 'confirmed' ? 'booked' : 'confirmed';
	const notes = 'Patient asked for an interpreter';
	let kept = true;
	for (const [idA, idB] of [
		[1, 2],
		[2, 1]
	] as const) {
		const a = docWithId(idA);
		codec.writeAll(a, [record]);
		const b = docWithId(idB);
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		const svA = Y.encodeStateVector(a);
		const svB = Y.encodeStateVector(b);
		a.transact(() => codec.setField(a, record.id, 'status', status));
		b.transact(() => codec.setField(b, record.id, 'notes', notes));
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b, svA));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a, svB));
		const [ra] = codec.readAll(a);
		const [rb] = codec.readAll(b);
		if (!ra || !rb || canonical(ra) !== canonical(rb))
			throw new Error(`${codec.name}: docs did not converge`);
		if (ra.status !== status || ra.notes !== notes) kept = false;
	}
	return kept;
}

type Measured = Exclude<keyof Measures, 'editCount'>;

const round = (n: number) => Math.round(n * 100) / 100;

const measureUnits: Record<Measured, [unit: string, notes: (m: Measures) => string]> = {
	updateSize: [
		'bytes',
		() => 'Y.encodeStateAsUpdate of the whole doc: what is stored and sent on first sync'
	],
	insert: ['ms', () => 'write every record into an empty doc in one transaction'],
	encode: ['ms', () => 'Y.encodeStateAsUpdate of the whole doc'],
	load: ['ms', () => 'Y.applyUpdate of the whole doc into a fresh Y.Doc (opening it)'],
	heap: ['bytes', () => 'JS heap kept by the loaded doc (heapUsed after gc, minus before)'],
	readAll: ['ms', () => 'every record out as a fresh plain object'],
	edits: ['ms', (m) => `one field (notes) changed in each of ${m.editCount} records, one transaction each`],
	editsUpdateSize: [
		'bytes',
		(m) => `sum of the updates those ${m.editCount} edits emit (sync and local-store traffic)`
	]
};

function report(size: number, results: Map<BenchCodec['name'], Measures>, runs: number): void {
	const label = sizeLabel(size);
	const base = results.get('json');
	for (const [codec, m] of results) {
		for (const key of Object.keys(measureUnits) as Measured[]) {
			const [unit, what] = measureUnits[key];
			const timed = unit === 'ms' || key === 'heap';
			emit({
				name: `codec.${label}.${codec}.${key}`,
				unit,
				value: round(m[key]),
				...(base && codec !== 'json'
					? { baseline: round(base[key]), baselineName: `codec.${label}.json.${key}` }
					: {}),
				...(key === 'updateSize' && size === MONTH_SIZE ? { target: DOC_BYTES_BUDGET } : {}),
				notes: `${size} records; ${what(m)}${timed ? (runs > 1 ? `; median of ${runs}` : '; one run') : ''}`
			});
		}
	}
}

function main(): void {
	if (!SMOKE) {
		// Let V8 optimise Yjs's encoder and decoder paths so the first codec measured is not penalised.
		const warm = makeAppointments(2_000, 1);
		for (const codec of codecs) measure(codec, warm, 1);
	}

	for (const codec of codecs) {
		const kept = keepsConcurrentFieldEdits(codec);
		log(`codec ${codec.name}: concurrent edits of different fields ${kept ? 'both kept' : 'one lost'}`);
		emit({
			name: `codec.${codec.name}.concurrentFieldEdits`,
			unit: 'bool',
			value: kept ? 1 : 0,
			target: 1,
			notes: 'two devices change different fields of one record, then sync: 1 = both changes kept'
		});
	}

	for (const size of SIZES) {
		const records = makeAppointments(size);
		// Medians where a run is cheap; at 100k one run of each measure already takes seconds.
		const runs = SMOKE || size > 10_000 ? 1 : size > MONTH_SIZE ? 3 : 5;
		const results = new Map<BenchCodec['name'], Measures>();
		for (const codec of codecs) {
			const m = measure(codec, records, runs);
			results.set(codec.name, m);
			log(
				`codec ${sizeLabel(size)} ${codec.name}: ${m.updateSize} B, load ${m.load.toFixed(1)} ms, ` +
					`heap ${(m.heap / 1e6).toFixed(1)} MB, read ${m.readAll.toFixed(1)} ms, edits ${m.edits.toFixed(1)} ms`
			);
		}
		report(size, results, runs);
	}
}

main();
