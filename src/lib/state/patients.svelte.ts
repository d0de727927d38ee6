/**
 * The clinic's patients as the screens see them: every patient shard opened and read into one
 * list, and a search index over it. The index stays on the main thread: over 50,000 patients in
 * Chromium it costs well under a millisecond a keystroke and ~39 MB, while most of the heap (and so
 * of the garbage collector's work) is the shards' Y.Docs (BENCHMARKS.md, "Large clinic in Chromium").
 */
import type * as Y from 'yjs';
import { displayName, type Appointment, type Patient } from '../domain';
import { DuplicateIndex, type DuplicateMatch, type DuplicatePair } from '../domain/patients/duplicates';
import type { PatientIndex } from '../domain/patients/search';
import type { PatientInput } from '../domain/patients/transfer';
import type { ChangeMark, QuarantinedRecord } from '../crdt/codec';
import { appointmentsIn, patientsIn } from '../crdt/collections';
import { allPatientDocs, monthsBetween, patientsDocFor, scheduleDoc, type DocName } from '../crdt/layout';
import type { WorkspaceState } from './workspace.svelte';

export class PatientsState {
	list = $state.raw<Patient[]>([]);
	loaded = $state(false);
	private byId = new Map<string, Patient>();
	/** The search index, built after the list in chunks; kept current by readChanged. */
	private index: PatientIndex | null = null;
	indexReady = $state(false);
	private indexGeneration = 0;
	/** Ids whose records changed while the index was being built (it catches up with them). */
	private changedDuringBuild: Set<string> | null = null;
	/** Built on first use and dropped whenever the list changes. */
	private duplicates: DuplicateIndex | null = null;
	private stops: (() => void)[] = [];
	/** Records that failed validation, per shard. */
	private quarantine = new Map<DocName, Map<string, QuarantinedRecord>>();
	/** A read in progress, so that a second `load` (the schedule asks early on a first sync) waits for it. */
	private loading: Promise<void> | null = null;
	/** Counts resets: a read begun before one is dropped. */
	private loadRun = 0;
	/**
	 * Records a large batch brought (a new workstation's first sync: 1,250 a shard), not read yet: by
	 * id, their shard. A name asked for is read at once (`peek`); the rest in chunks once the batches
	 * stop (`drainLater`). Reading them as they came was most of the main thread's work before a new
	 * workstation painted today (1.4 of 2.9 s: zod, JSON, the sorted list), for 200 names.
	 */
	private unread = new Map<string, { name: DocName; doc: Y.Doc }>();
	private drainTimer: ReturnType<typeof setTimeout> | null = null;

	constructor(private readonly ws: WorkspaceState) {}

	/** The first read of every shard; callers at once share one read (see `loading`). */
	load(): Promise<void> {
		if (this.loaded) return Promise.resolve();
		const run = this.loadRun;
		this.loading ??= this.read(run).finally(() => {
			if (run === this.loadRun) this.loading = null;
		});
		return this.loading;
	}

	private async read(run: number): Promise<void> {
		const hub = this.ws.docs();
		const docs = await Promise.all(allPatientDocs().map((n) => hub.ready(n)));
		if (run !== this.loadRun) return; // reset (locked) meanwhile
		// After the first read only the records a transaction touched are decoded again: a colleague's
		// edit of one patient must not re-validate a whole shard (20,000 patients make 1,250 a shard).
		docs.forEach((doc, i) => {
			const name = allPatientDocs()[i]!;
			this.stops.push(patientsIn(doc).observe((ids) => this.readChanged(name, doc, ids)));
		});
		this.rebuild(docs);
		this.loaded = true;
		void this.buildIndex();
	}

	/**
	 * Patients matching what was typed, best first: names with typos and in either order, a date of
	 * birth in common formats, MRN, phone digits (domain/patients/search.ts). Until the index is built
	 * (in chunks, so the screen never freezes) a plain substring filter answers.
	 */
	search(query: string, limit = 100): Patient[] {
		const list = this.list;
		if (!query.trim()) return list.slice(0, limit);
		if (!this.indexReady || !this.index) return this.filter(query, limit);
		const out: Patient[] = [];
		for (const hit of this.index.search(query, limit)) {
			const p = this.byId.get(hit.id);
			if (p) out.push(p);
		}
		return out;
	}

	private async buildIndex(): Promise<void> {
		// A MessageChannel turn is not clamped to 4 ms like nested setTimeout(0).
		const pause = () =>
			new Promise<void>((r) => {
				if (typeof MessageChannel === 'undefined') return void setTimeout(r, 0);
				const ch = new MessageChannel();
				ch.port1.onmessage = () => {
					ch.port1.close();
					r();
				};
				ch.port2.postMessage(null);
			});
		const generation = ++this.indexGeneration;
		const changed = new Set<string>();
		this.changedDuringBuild = changed;
		// Loaded here, not with the app: the schedule's first paint does not search (≈5 KB gzip), and
		// until the index is ready `search` answers with the substring filter anyway.
		const { PatientIndex } = await import('../domain/patients/search');
		if (!this.loaded || generation !== this.indexGeneration) return;
		const index = await PatientIndex.build(this.list, { yield: pause });
		if (!this.loaded || generation !== this.indexGeneration) return;
		this.changedDuringBuild = null;
		// Only what changed by sync while it was built is indexed again.
		for (const id of changed) {
			const p = this.byId.get(id);
			if (p) index.update(p);
			else index.remove(id);
		}
		this.index = index;
		this.indexReady = true;
	}

	get(id: string): Patient | undefined {
		// Reading the list makes callers in reactive code follow every change to any patient.
		void this.list;
		return this.byId.get(id) ?? this.peek(id);
	}

	nameOf(id: string): string {
		const p = this.byId.get(id) ?? this.peek(id);
		return p ? displayName(p) : 'Unknown patient';
	}

	/** A record of a batch not read yet (see `unread`): decoded for this caller, the list follows later. */
	private peek(id: string): Patient | undefined {
		const at = this.unread.get(id);
		if (!at) return undefined;
		// No state written here: callers are often deriveds and templates. `drain` puts it in the list.
		const r = patientsIn(at.doc).get(id);
		if (!r?.ok || r.value.deletedAt) return undefined;
		this.byId.set(id, r.value);
		return r.value;
	}

	/** Reads the unread records in chunks, once no large batch has come for a moment. */
	private drainLater(): void {
		if (this.drainTimer !== null) clearTimeout(this.drainTimer);
		const run = this.loadRun;
		this.drainTimer = setTimeout(() => {
			this.drainTimer = null;
			void this.drain(run);
		}, DRAIN_AFTER_MS);
	}

	private async drain(run: number): Promise<void> {
		while (this.unread.size > 0 && run === this.loadRun && this.drainTimer === null) {
			const chunk = new Map<DocName, { doc: Y.Doc; ids: Set<string> }>();
			let n = 0;
			for (const [id, at] of this.unread) {
				let c = chunk.get(at.name);
				if (!c) chunk.set(at.name, (c = { doc: at.doc, ids: new Set() }));
				c.ids.add(id);
				if (++n >= DRAIN_CHUNK) break;
			}
			for (const [name, c] of chunk) this.readNow(name, c.doc, c.ids);
			await new Promise((r) => setTimeout(r, 0));
		}
	}

	/** Case-insensitive match on family/given/preferred name, MRN, or date of birth. */
	filter(query: string, limit = 100): Patient[] {
		const q = query.trim().toLowerCase();
		if (!q) return this.list.slice(0, limit);
		const out: Patient[] = [];
		for (const p of this.list) {
			const hay = `${p.familyName} ${p.givenName} ${p.preferredName ?? ''} ${p.givenName} ${p.familyName} ${p.mrn} ${p.dateOfBirth}`;
			if (hay.toLowerCase().includes(q)) out.push(p);
			if (out.length >= limit) break;
		}
		return out;
	}

	create(input: Omit<Patient, 'id' | 'createdAt' | 'updatedAt' | 'mrn'> & { mrn?: string }): Patient {
		const now = new Date().toISOString();
		const id = crypto.randomUUID();
		const mrn = input.mrn?.trim() || this.nextMrn();
		const doc = this.ws.docs().open(patientsDocFor(id));
		const created = patientsIn(doc).insert({ ...input, id, mrn, createdAt: now, updatedAt: now });
		this.ws.audit('create', 'patient', id);
		return created;
	}

	/**
	 * Writes imported patients, one transaction each (a patient is written whole or not at all), in
	 * batches with a pause between them so the screen stays responsive. A FHIR import keeps each
	 * record's id and timestamps unless that id is already taken here. `progress` counts patients
	 * actually written; if a write throws, those before it stay and the error propagates.
	 */
	async importPatients(
		list: readonly PatientInput[],
		progress: (done: number, total: number) => void = () => {}
	): Promise<number> {
		const hub = this.ws.docs();
		const now = new Date().toISOString();
		let done = 0;
		for (const input of list) {
			const taken = input.id !== undefined && patientsIn(hub.open(patientsDocFor(input.id))).has(input.id);
			const id = input.id && !taken ? input.id : crypto.randomUUID();
			const mrn = input.mrn?.trim() || this.nextMrn();
			patientsIn(hub.open(patientsDocFor(id))).insert({
				...input,
				id,
				mrn,
				createdAt: input.createdAt ?? now,
				updatedAt: input.updatedAt ?? now
			});
			this.ws.audit('create', 'patient', id);
			done += 1;
			if (done % 200 === 0) {
				progress(done, list.length);
				await new Promise((r) => setTimeout(r, 0));
			}
		}
		progress(done, list.length);
		return done;
	}

	update(id: string, patch: Partial<Patient>): Patient {
		const doc = this.ws.docs().open(patientsDocFor(id));
		const at = new Date().toISOString();
		const by = this.ws.session?.user.id;
		const updated = patientsIn(doc).update(
			id,
			{ ...patch, updatedAt: at },
			null,
			by ? { by, at } : undefined
		);
		this.ws.audit('change', 'patient', id);
		return updated;
	}

	/** Who changed each field of the record last, and when (user ids: see `ws.users` for names). */
	lastChanges(id: string): Record<string, ChangeMark> {
		return patientsIn(this.ws.docs().open(patientsDocFor(id))).lastChanges(id);
	}

	/** Existing patients the given (new or edited) record may duplicate, most certain first. */
	possibleDuplicates(p: Parameters<DuplicateIndex['matches']>[0]): DuplicateMatch[] {
		this.duplicates ??= new DuplicateIndex(this.list);
		return this.duplicates.matches(p);
	}

	/** Every likely duplicate pair in the clinic (dismissed pairs left out). */
	duplicatePairs(dismissed?: ReadonlySet<string>): DuplicatePair[] {
		this.duplicates ??= new DuplicateIndex(this.list);
		return this.duplicates.pairs(dismissed);
	}

	/**
	 * The patient's appointments, newest first, from every schedule month this workstation can open
	 * (two years back to one year ahead, plus any month already open).
	 */
	async appointmentsOf(patientId: string, now = new Date()): Promise<Appointment[]> {
		const hub = this.ws.docs();
		if (!this.ws.can('schedule')) return [];
		const from = new Date(Date.UTC(now.getUTCFullYear() - 2, now.getUTCMonth(), 1)).toISOString();
		const to = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), 1)).toISOString();
		const names = new Set<DocName>(monthsBetween(from, to).map(scheduleDoc));
		for (const n of hub.names()) if (n.startsWith('schedule/')) names.add(n);
		const docs = await Promise.all([...names].map((n) => hub.ready(n)));
		const out: Appointment[] = [];
		for (const doc of docs)
			for (const a of appointmentsIn(doc).all().records)
				if (a.patientId === patientId && !a.deletedAt) out.push(a);
		return out.sort((a, b) => b.start.localeCompare(a.start));
	}

	/**
	 * Next MRN by the clinic's pattern. Two offline workstations can hand out the same number; the
	 * patient-records issue detects that over merged data like other uniqueness rules.
	 */
	nextMrn(): string {
		const pattern = this.ws.clinic?.mrnPattern ?? 'MRN-{n}';
		let max = 0;
		// Records of a first sync not in the list yet count too (read here for this, as `nameOf` does).
		for (const id of this.unread.keys()) {
			const m = /(\d+)\D*$/.exec(this.byId.get(id)?.mrn ?? this.peek(id)?.mrn ?? '');
			if (m) max = Math.max(max, Number(m[1]));
		}
		for (const p of this.list) {
			const m = /(\d+)\D*$/.exec(p.mrn);
			if (m) max = Math.max(max, Number(m[1]));
		}
		return pattern.replace('{n}', String(max + 1).padStart(6, '0'));
	}

	reset(): void {
		this.loadRun += 1;
		this.loading = null;
		for (const stop of this.stops) stop();
		this.stops = [];
		this.byId.clear();
		this.quarantine.clear();
		this.unread.clear();
		if (this.drainTimer !== null) clearTimeout(this.drainTimer);
		this.drainTimer = null;
		this.list = [];
		this.duplicates = null;
		this.index = null;
		this.indexReady = false;
		this.indexGeneration += 1;
		this.loaded = false;
	}

	/** Every record of every shard, sorted once (the first read). */
	private rebuild(docs: Y.Doc[]): void {
		this.byId.clear();
		this.quarantine.clear();
		docs.forEach((doc, i) => {
			const name = allPatientDocs()[i]!;
			const { records, quarantined } = patientsIn(doc).all();
			for (const p of records) if (!p.deletedAt) this.byId.set(p.id, p);
			this.quarantine.set(name, new Map(quarantined.map((q) => [q.id, q])));
			this.ws.reportQuarantine(name, quarantined);
		});
		this.duplicates = null;
		this.list = [...this.byId.values()].sort(byName);
		if (this.changedDuringBuild) for (const id of this.byId.keys()) this.changedDuringBuild.add(id);
	}

	/** The records of one shard that a transaction touched: decoded, indexed, moved in the sorted list. */
	private readChanged(name: DocName, doc: Y.Doc, ids: Set<string>): void {
		if (!this.loaded) return; // `rebuild` reads everything
		if (ids.size >= BATCH_READ_LATER) {
			for (const id of ids) {
				// A record already shown (peeked) stays until its new version is read.
				this.unread.set(id, { name, doc });
			}
			// A new array: readers (the schedule's names) look again, and `peek` answers them.
			this.list = [...this.list];
			this.drainLater();
			return;
		}
		this.readNow(name, doc, ids);
	}

	private readNow(name: DocName, doc: Y.Doc, ids: Set<string>): void {
		for (const id of ids) this.unread.delete(id);
		const records = patientsIn(doc);
		const quarantine = this.quarantine.get(name) ?? new Map<string, QuarantinedRecord>();
		this.quarantine.set(name, quarantine);
		const gone = new Set<string>();
		const fresh: Patient[] = [];
		let quarantineChanged = false;
		for (const id of ids) {
			if (this.byId.delete(id)) gone.add(id);
			if (quarantine.delete(id)) quarantineChanged = true;
			const r = records.get(id);
			if (!r) continue;
			if (!r.ok) {
				quarantine.set(id, r.quarantined);
				quarantineChanged = true;
			} else if (!r.value.deletedAt) {
				this.byId.set(id, r.value);
				fresh.push(r.value);
			}
		}
		if (this.index) {
			for (const p of fresh) this.index.update(p);
			for (const id of gone) if (!this.byId.has(id)) this.index.remove(id);
		} else if (this.changedDuringBuild) {
			for (const id of ids) this.changedDuringBuild.add(id);
		}
		if (quarantineChanged) this.ws.reportQuarantine(name, [...quarantine.values()]);
		if (gone.size === 0 && fresh.length === 0) return;
		this.duplicates = null;
		const list = gone.size > 0 ? this.list.filter((p) => !gone.has(p.id)) : [...this.list];
		for (const p of fresh) list.splice(sortedIndex(list, p), 0, p);
		this.list = list;
	}
}

/** A transaction touching this many patients is read later (see `unread`); one edit, an import's page are not. */
const BATCH_READ_LATER = 500;
/** How long after the last such batch the rest is read, and how many records a task. */
const DRAIN_AFTER_MS = 500;
const DRAIN_CHUNK = 250;

/** One collator for every comparison (`localeCompare` builds one per call: seconds for 20,000 names). */
const collator = new Intl.Collator();
const byName = (a: Patient, b: Patient) =>
	collator.compare(a.familyName, b.familyName) || collator.compare(a.givenName, b.givenName);

/** Where `p` goes in a list sorted by name. */
function sortedIndex(list: readonly Patient[], p: Patient): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (byName(list[mid]!, p) <= 0) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
