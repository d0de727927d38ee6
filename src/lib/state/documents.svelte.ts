/**
 * Documents on a patient's record as the screens see them: the list from the patient's shard,
 * attaching a scan or PDF, viewing one and removing one. Every attach, view and removal is in the
 * audit log (by document id only).
 *
 * The metadata is a `documents` record in the patient's shard; the bytes are in their own document
 * (`patients/f-<id>`, crdt/files.ts), sealed with the patients key like the shard and opened only
 * when someone views the file. A file document stays open until the session locks: the sync layer
 * keeps one channel per open document, and a file attached here must stay open to reach the relay.
 *
 * Viewing hands the bytes to the browser as a blob: URL under the type sniffed from the bytes, never
 * a type a browser or a file name claimed; `close()` (or locking) revokes it. Nothing is written to
 * Cache Storage or anywhere else unencrypted.
 */
import type * as Y from 'yjs';
import { localDate } from '../domain';
import {
	DOCUMENT_KIND_LABELS,
	FILE_PROBLEM_TEXT,
	downloadName,
	isImage,
	patientDocument,
	pdfPageCount,
	sizeProblem,
	sniffMime,
	typeProblem,
	type AllowedMime,
	type DocumentKind,
	type PatientDocument
} from '../domain/patients/documents';
import { documentsIn, patientsIn } from '../crdt/collections';
import { clearFile, readFile, writeFile } from '../crdt/files';
import { allPatientDocs, patientFileDoc, patientsDocFor, type DocName } from '../crdt/layout';
import { downscaleImage, ImageProblem, type PrepareImage } from './downscale';
import type { WorkspaceState } from './workspace.svelte';

export interface AttachFields {
	kind: DocumentKind;
	/** Blank: the kind's label ("Referral"). */
	title: string;
	documentDate: string;
}

/** A file from an `<input type="file">`, or bytes from elsewhere (tests, a scanner integration). */
export type AttachSource = File | { bytes: Uint8Array; mime: string; name: string };

export type AttachResult = { ok: true; document: PatientDocument } | { ok: false; problem: string };

export type OpenResult =
	| { ok: true; url: string; mime: AllowedMime; fileName: string; document: PatientDocument }
	| { ok: false; problem: string };

export interface PatientDocumentsOptions {
	/** Reduces images that are too large (default: in the browser, with a canvas). */
	prepareImage?: PrepareImage;
	/** How long `open()` waits for a file that has not arrived from the clinic server yet. */
	arrivalTimeoutMs?: number;
}

const NO_WRITE = 'Your role may view documents on patient records but not attach or remove them.';
const NO_READ = 'Your role may not view documents on patient records.';
const NOT_HERE = 'This document is not on this workstation.';
const NOT_PREPARED = 'This image could not be prepared. Try again, or scan it as a PDF.';

export class PatientDocumentsState {
	/** Bumped when a watched shard changes, so `list()` re-runs where it is read. */
	private version = $state(0);
	private readonly watched = new Map<DocName, { doc: Y.Doc; stop: () => void }>();
	/** Open blob: URLs and the document each shows. */
	private readonly urls = new Map<string, string>();
	private readonly prepareImage: PrepareImage;
	private readonly arrivalTimeoutMs: number;

	constructor(
		private readonly ws: WorkspaceState,
		opts: PatientDocumentsOptions = {}
	) {
		this.prepareImage = opts.prepareImage ?? downscaleImage;
		this.arrivalTimeoutMs = opts.arrivalTimeoutMs ?? 15_000;
		ws.onLock(() => this.reset());
	}

	/** The patient's documents, newest document date first (removed ones left out). Reactive. */
	list(patientId: string): PatientDocument[] {
		void this.version;
		if (!this.ws.session || !this.ws.can('patients')) return [];
		const { records } = documentsIn(this.watch(patientsDocFor(patientId))).all();
		return records
			.filter((d) => d.patientId === patientId && !d.deletedAt)
			.sort(
				(a, b) =>
					b.documentDate.localeCompare(a.documentDate) ||
					b.createdAt.localeCompare(a.createdAt) ||
					a.id.localeCompare(b.id)
			);
	}

	/** Today in the clinic's time zone, the attach form's default document date. */
	today(): string {
		const zone = this.ws.clinic?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
		return localDate(new Date(), zone);
	}

	/**
	 * Checks, reduces (images), stores and lists a file on the patient's record. `onStep` hears what
	 * is happening, for a status line. Problems come back in words for the person at the desk.
	 */
	async attach(
		patientId: string,
		source: AttachSource,
		fields: AttachFields,
		onStep?: (step: string) => void
	): Promise<AttachResult> {
		const userId = this.ws.session?.user.id;
		if (!userId || !this.ws.can('patients', 'write')) return fail(NO_WRITE);
		const described = patientDocument.pick({ kind: true, title: true, documentDate: true }).safeParse({
			kind: fields.kind,
			title: fields.title.trim() || DOCUMENT_KIND_LABELS[fields.kind] || '',
			documentDate: fields.documentDate
		});
		if (!described.success) {
			const field = described.error.issues[0]?.path[0];
			if (field === 'documentDate') return fail('Enter the document’s date, like 2026-11-28.');
			if (field === 'title') return fail('Keep the title to 120 characters.');
			return fail('Choose what kind of document this is.');
		}

		onStep?.('Checking the file…');
		const sniffed = sniffMime(await readHead(source));
		const badType = typeProblem(sniffed);
		if (badType || !sniffed) return fail(badType ?? typeProblem(null)!);
		let mime = sniffed as AllowedMime;
		// Before reading the whole file: a PDF over the limit, an empty file, an absurd image.
		const early = sizeProblem(mime, sizeOf(source));
		if (early) return fail(early);
		let bytes = await readAll(source);
		if (isImage(mime)) {
			onStep?.('Preparing the image…');
			try {
				const prepared = await this.prepareImage(bytes, mime);
				if (sniffMime(prepared.bytes) !== prepared.mime) return fail(NOT_PREPARED);
				bytes = prepared.bytes;
				mime = prepared.mime;
			} catch (e) {
				return fail(e instanceof ImageProblem ? e.message : NOT_PREPARED);
			}
			const late = sizeProblem(mime, bytes.length, true);
			if (late) return fail(late);
		}

		const hub = this.ws.docs();
		const shard = await hub.ready(patientsDocFor(patientId));
		const patient = patientsIn(shard).get(patientId);
		if (!patient?.ok || patient.value.deletedAt)
			return fail('This patient record is not on this workstation.');

		onStep?.('Encrypting and saving…');
		const id = crypto.randomUUID();
		const now = new Date().toISOString();
		await writeFile(await hub.ready(patientFileDoc(id)), bytes, mime);
		// File documents are not preloaded: make sure this one reaches the server even if the session
		// locks before the workstation is back online.
		void this.ws.trackUpload(patientFileDoc(id));
		const document = documentsIn(shard).insert({
			id,
			createdAt: now,
			updatedAt: now,
			patientId,
			...described.data,
			mime,
			size: bytes.length,
			pages: mime === 'application/pdf' ? pdfPageCount(bytes) : 1,
			addedBy: userId
		});
		this.ws.audit('create', 'patient-document', id);
		return { ok: true, document };
	}

	/**
	 * Reads a document's file and makes a blob: URL for the viewer (audited as a view). If the file
	 * has not arrived from the clinic server yet, waits for the first sync of its document.
	 */
	async open(documentId: string): Promise<OpenResult> {
		if (!this.ws.session || !this.ws.can('patients')) return fail(NO_READ);
		const found = await this.find(documentId);
		if (!found) return fail(NOT_HERE);
		if (found.record.deletedAt) return fail(FILE_PROBLEM_TEXT.removed);
		const name = patientFileDoc(documentId);
		const doc = await this.ws.docs().ready(name);
		let read = await readFile(doc);
		if (!read.ok && (read.problem === 'missing' || read.problem === 'incomplete') && this.ws.sync.enabled) {
			await this.ws.sync.whenSynced(name, this.arrivalTimeoutMs);
			read = await readFile(doc);
		}
		if (!read.ok) return fail(FILE_PROBLEM_TEXT[read.problem]);
		// The blob's type decides how the browser treats it: only ever a type the bytes themselves show.
		if (sniffMime(read.bytes) !== read.mime) return fail(FILE_PROBLEM_TEXT.damaged);
		const url = URL.createObjectURL(new Blob([read.bytes as Uint8Array<ArrayBuffer>], { type: read.mime }));
		this.urls.set(url, documentId);
		this.ws.audit('view', 'patient-document', documentId);
		return {
			ok: true,
			url,
			mime: read.mime,
			fileName: downloadName(found.record.documentDate, read.mime),
			document: found.record
		};
	}

	/** The viewer's Download link was used: the file left the app, so it is audited as an export. */
	downloaded(documentId: string): void {
		this.ws.audit('export', 'patient-document', documentId);
	}

	/** Revokes a URL from `open()` (the viewer closed). */
	close(url: string): void {
		if (!this.urls.delete(url)) return;
		URL.revokeObjectURL(url);
	}

	/**
	 * Removes a document from the record: its metadata is soft-deleted (kept, marked deleted) and its
	 * file document emptied.
	 */
	async remove(documentId: string): Promise<{ ok: true } | { ok: false; problem: string }> {
		const userId = this.ws.session?.user.id;
		if (!userId || !this.ws.can('patients', 'write')) return fail(NO_WRITE);
		const found = await this.find(documentId);
		if (!found) return fail(NOT_HERE);
		const now = new Date().toISOString();
		if (!found.record.deletedAt) {
			documentsIn(found.shard).update(documentId, { deletedAt: now, updatedAt: now }, null, {
				by: userId,
				at: now
			});
		}
		clearFile(await this.ws.docs().ready(patientFileDoc(documentId)));
		for (const [url, id] of [...this.urls]) if (id === documentId) this.close(url);
		this.ws.audit('delete', 'patient-document', documentId);
		return { ok: true };
	}

	/** Drops listeners and revokes every URL (at lock: the documents themselves are closed by then). */
	reset(): void {
		for (const w of this.watched.values()) w.stop();
		this.watched.clear();
		for (const url of [...this.urls.keys()]) this.close(url);
		this.version += 1;
	}

	/** The shard, opened and listened to (again, if it was reopened since). */
	private watch(name: DocName): Y.Doc {
		const doc = this.ws.docs().open(name);
		const current = this.watched.get(name);
		if (current?.doc === doc) return doc;
		current?.stop();
		const bump = () => (this.version += 1);
		doc.on('update', bump);
		this.watched.set(name, { doc, stop: () => doc.off('update', bump) });
		return doc;
	}

	/**
	 * A document's record and shard: the shards already watched first, then every shard. A merge of
	 * patients in different shards leaves a deleted copy in the old shard (merges.svelte.ts), so a
	 * live copy is preferred to a deleted one.
	 */
	private async find(documentId: string): Promise<{ record: PatientDocument; shard: Y.Doc } | undefined> {
		const hub = this.ws.docs();
		const names = [...new Set<DocName>([...this.watched.keys(), ...allPatientDocs()])];
		let deleted: { record: PatientDocument; shard: Y.Doc } | undefined;
		for (const name of names) {
			const shard = await hub.ready(name);
			const r = documentsIn(shard).get(documentId);
			if (!r?.ok) continue;
			if (!r.value.deletedAt) return { record: r.value, shard };
			deleted ??= { record: r.value, shard };
		}
		return deleted;
	}
}

function fail(problem: string): { ok: false; problem: string } {
	return { ok: false, problem };
}

function sizeOf(source: AttachSource): number {
	return source instanceof Blob ? source.size : source.bytes.length;
}

async function readHead(source: AttachSource): Promise<Uint8Array> {
	if (!(source instanceof Blob)) return source.bytes.subarray(0, 64);
	return new Uint8Array(await source.slice(0, 64).arrayBuffer());
}

async function readAll(source: AttachSource): Promise<Uint8Array> {
	return source instanceof Blob ? new Uint8Array(await source.arrayBuffer()) : source.bytes;
}
