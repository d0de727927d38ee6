/**
 * Documents on a patient's record, end to end in Node: the real WorkspaceState over fake-indexeddb,
 * attach (with the image step injected, as Node has no canvas), list, open, remove, the audit trail,
 * the limits, the role check — and that nothing about the file reaches IndexedDB in clear.
 */
import { resolveObjectURL } from 'node:buffer';
import { IDBFactory as FakeIDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MAX_FILE_BYTES } from '../domain/patients/documents';
import { documentsIn, patientsIn } from '../crdt/collections';
import { patientFileDoc, patientsDocFor } from '../crdt/layout';
import { PatientDocumentsState } from './documents.svelte';
import type { PrepareImage } from './downscale';
import { WorkspaceState } from './workspace.svelte';
import type { AuthClient } from '../sync';

const ADMIN = { displayName: 'Ada Admin', username: 'ada', passphrase: 'correct horse battery' };
const PATIENT_ID = '5b0c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3';
const enc = new TextEncoder();

async function newClinic(idb: IDBFactory): Promise<WorkspaceState> {
	const ws = new WorkspaceState(() => idb, {} as AuthClient);
	await ws.init();
	await ws.createClinic({
		name: 'Synthetic Clinic',
		timeZone: 'America/Chicago',
		slotMinutes: 15,
		admin: ADMIN
	});
	expect(ws.status).toBe('ready');
	const now = new Date().toISOString();
	patientsIn(await ws.docs().ready(patientsDocFor(PATIENT_ID))).insert({
		id: PATIENT_ID,
		createdAt: now,
		updatedAt: now,
		mrn: 'MRN-000001',
		familyName: 'Tolvar',
		givenName: 'Brenna',
		dateOfBirth: '1980-05-17'
	});
	return ws;
}

/** A small PDF whose text holds a canary that must never be found in clear on disk. */
function pdfWith(text: string, pad = 0): Uint8Array<ArrayBuffer> {
	const body = `%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Page >> endobj\n(${text})\n`;
	return new Uint8Array([...enc.encode(body), ...new Uint8Array(pad).fill(0x20), ...enc.encode('%%EOF\n')]);
}

const JPEG_HEAD = [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00];

/** Stands in for the canvas: "reduces" any image to a small JPEG and records what it was given. */
function fakeReducer() {
	const calls: string[] = [];
	const prepare: PrepareImage = async (bytes, mime) => {
		calls.push(`${mime}:${bytes.length}`);
		return {
			bytes: new Uint8Array([...JPEG_HEAD, ...new Uint8Array(2000)]),
			mime: 'image/jpeg',
			reduced: true
		};
	};
	return { calls, prepare };
}

async function blobBytes(url: string): Promise<Uint8Array | undefined> {
	const blob = resolveObjectURL(url);
	return blob ? new Uint8Array(await blob.arrayBuffer()) : undefined;
}

async function documentAudit(ws: WorkspaceState, id: string): Promise<string[]> {
	const trail = await ws.auditTrail();
	trail.stop();
	return trail.rows
		.filter((r) => r.recordType === 'patient-document' && r.recordId === id)
		.map((r) => r.action);
}

/** Every value and key in every database of the fake IndexedDB, as bytes to search. */
async function everythingStored(idb: IDBFactory): Promise<Uint8Array[]> {
	const out: Uint8Array[] = [];
	const collect = (v: unknown, seen = new Set<unknown>()): void => {
		if (v === null || v === undefined || seen.has(v)) return;
		if (typeof v === 'string') out.push(enc.encode(v));
		else if (typeof v === 'number' || typeof v === 'boolean') return;
		else if (v instanceof ArrayBuffer) out.push(new Uint8Array(v));
		else if (ArrayBuffer.isView(v)) out.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
		else if (typeof v === 'object') {
			seen.add(v);
			for (const [k, x] of Object.entries(v)) {
				out.push(enc.encode(k));
				collect(x, seen);
			}
		}
	};
	for (const { name } of await idb.databases()) {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = idb.open(name!);
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		out.push(enc.encode(name!));
		for (const storeName of Array.from(db.objectStoreNames)) {
			const tx = db.transaction(storeName, 'readonly');
			const values = tx.objectStore(storeName).getAll();
			const keys = tx.objectStore(storeName).getAllKeys();
			await new Promise<void>((resolve, reject) => {
				tx.oncomplete = () => resolve();
				tx.onerror = () => reject(tx.error);
			});
			collect(values.result);
			collect(keys.result);
		}
		db.close();
	}
	return out;
}

function anyContains(chunks: Uint8Array[], needle: Uint8Array): boolean {
	const n = Buffer.from(needle);
	return chunks.some((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).includes(n));
}

describe('documents on the patient record', () => {
	it('attaches, lists, opens and removes a PDF, each step audited', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		const docs = new PatientDocumentsState(ws, { prepareImage: fakeReducer().prepare });
		const pdf = pdfWith('Referral letter');

		const steps: string[] = [];
		const attached = await docs.attach(
			PATIENT_ID,
			new File([pdf], 'scan0001.pdf', { type: 'application/pdf' }),
			{ kind: 'referral', title: '  Cardiology referral ', documentDate: '2026-11-20' },
			(s) => steps.push(s)
		);
		expect(attached.ok).toBe(true);
		if (!attached.ok) return;
		const d = attached.document;
		expect(d).toMatchObject({
			patientId: PATIENT_ID,
			kind: 'referral',
			title: 'Cardiology referral',
			mime: 'application/pdf',
			size: pdf.length,
			pages: 2,
			addedBy: ws.session!.user.id
		});
		expect(steps).toEqual(['Checking the file…', 'Encrypting and saving…']);
		// Metadata in the patient's shard, bytes in their own document.
		expect(documentsIn(ws.docs().open(patientsDocFor(PATIENT_ID))).has(d.id)).toBe(true);
		expect(ws.docs().isOpen(patientFileDoc(d.id))).toBe(true);

		// A blank title takes the kind's name; the list is newest document date first.
		const card = await docs.attach(
			PATIENT_ID,
			{ bytes: pdfWith('card'), mime: 'application/pdf', name: 'card.pdf' },
			{ kind: 'insurance-card-front', title: '', documentDate: '2026-11-25' }
		);
		expect(card.ok && card.document.title).toBe('Insurance card (front)');
		expect(docs.list(PATIENT_ID).map((x) => x.kind)).toEqual(['insurance-card-front', 'referral']);
		expect(docs.list('00000000-0000-4000-8000-000000000009')).toEqual([]);

		const opened = await docs.open(d.id);
		expect(opened.ok).toBe(true);
		if (!opened.ok) return;
		expect(opened.mime).toBe('application/pdf');
		expect(opened.fileName).toBe('document-2026-11-20.pdf');
		expect(opened.url).toMatch(/^blob:/);
		expect(await blobBytes(opened.url)).toEqual(pdf);
		docs.close(opened.url);
		expect(resolveObjectURL(opened.url)).toBeUndefined();

		expect(await docs.remove(d.id)).toEqual({ ok: true });
		expect(docs.list(PATIENT_ID).map((x) => x.kind)).toEqual(['insurance-card-front']);
		expect(documentsIn(ws.docs().open(patientsDocFor(PATIENT_ID))).get(d.id)).toMatchObject({
			ok: true,
			value: { deletedAt: expect.any(String) }
		});
		expect(await docs.open(d.id)).toEqual({
			ok: false,
			problem: 'This document was removed from the record.'
		});

		await vi.waitFor(async () => expect(await documentAudit(ws, d.id)).toEqual(['create', 'view', 'delete']));
	}, 30_000);

	it('sends images through the reducer and stores what it returns', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		const reducer = fakeReducer();
		const docs = new PatientDocumentsState(ws, { prepareImage: reducer.prepare });
		const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(5000)]);
		const r = await docs.attach(
			PATIENT_ID,
			{ bytes: png, mime: 'image/png', name: 'card.png' },
			{ kind: 'insurance-card-back', title: 'Card', documentDate: '2026-11-28' }
		);
		expect(reducer.calls).toEqual(['image/png:5008']);
		expect(r.ok && r.document).toMatchObject({ mime: 'image/jpeg', size: 2011, pages: 1 });
		const opened = await docs.open(r.ok ? r.document.id : '');
		expect(opened.ok && opened.mime).toBe('image/jpeg');
		expect(opened.ok && opened.fileName).toBe('document-2026-11-28.jpg');

		// A reducer that cannot get under the limit: the message says so, nothing is stored.
		const tooBig: PrepareImage = async () => ({
			bytes: new Uint8Array([...JPEG_HEAD, ...new Uint8Array(MAX_FILE_BYTES)]),
			mime: 'image/jpeg',
			reduced: true
		});
		const stubborn = new PatientDocumentsState(ws, { prepareImage: tooBig });
		const refused = await stubborn.attach(
			PATIENT_ID,
			{ bytes: png, mime: 'image/png', name: 'x.png' },
			{ kind: 'other', title: 'x', documentDate: '2026-11-28' }
		);
		expect(refused).toEqual({ ok: false, problem: expect.stringMatching(/still 3\.1 MB after reducing/) });
		expect(stubborn.list(PATIENT_ID)).toHaveLength(1);
	}, 30_000);

	it('refuses large PDFs, other types and bad details with a clear message', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		const docs = new PatientDocumentsState(ws, { prepareImage: fakeReducer().prepare });
		const fields = { kind: 'referral' as const, title: 'x', documentDate: '2026-11-20' };
		const big = pdfWith('big', Math.round(7.4 * 1024 * 1024) - pdfWith('big').length);
		expect(await docs.attach(PATIENT_ID, new File([big], 'big.pdf'), fields)).toEqual({
			ok: false,
			problem: 'This PDF is 7.4 MB; the limit is 3 MB. Scan at a lower resolution or split it.'
		});
		const html = enc.encode('<html><script>steal()</script></html>');
		const asPdf = await docs.attach(
			PATIENT_ID,
			{ bytes: html, mime: 'application/pdf', name: 'a.pdf' },
			fields
		);
		expect(asPdf).toEqual({ ok: false, problem: expect.stringMatching(/not a PDF, JPEG, PNG or WebP/) });
		const heic = new Uint8Array([0, 0, 0, 0x18, ...enc.encode('ftypheic'), 0, 0, 0, 0]);
		const h = await docs.attach(
			PATIENT_ID,
			{ bytes: heic, mime: 'image/heic', name: 'IMG_0001.HEIC' },
			fields
		);
		expect(h).toEqual({ ok: false, problem: expect.stringMatching(/HEIC.*browsers cannot open/) });
		const empty = await docs.attach(PATIENT_ID, new File([], 'empty.pdf'), fields);
		expect(empty.ok).toBe(false);
		const badDate = await docs.attach(
			PATIENT_ID,
			{ bytes: pdfWith('x'), mime: 'application/pdf', name: 'x.pdf' },
			{ ...fields, documentDate: '20/11/2026' }
		);
		expect(badDate).toEqual({ ok: false, problem: expect.stringMatching(/date/) });
		const nobody = await docs.attach(
			'00000000-0000-4000-8000-000000000009',
			{ bytes: pdfWith('x'), mime: 'application/pdf', name: 'x.pdf' },
			fields
		);
		expect(nobody).toEqual({ ok: false, problem: 'This patient record is not on this workstation.' });
		expect(docs.list(PATIENT_ID)).toEqual([]);
	}, 30_000);

	it('keeps the file, its title and its name out of IndexedDB in clear', async () => {
		const idb = new FakeIDBFactory();
		const ws = await newClinic(idb);
		const docs = new PatientDocumentsState(ws, { prepareImage: fakeReducer().prepare });
		const fileCanary = 'CANARY-SCAN-BODY-7731';
		const titleCanary = 'Canary Referral Title 4419';
		const r = await docs.attach(
			PATIENT_ID,
			new File([pdfWith(fileCanary, 300_000)], 'Tolvar-Brenna-referral.pdf'),
			{ kind: 'referral', title: titleCanary, documentDate: '2026-11-20' }
		);
		expect(r.ok).toBe(true);
		await ws.docs().flush();
		const stored = await everythingStored(idb);
		expect(stored.length).toBeGreaterThan(0);
		// The scan against the sealed-store contents finds the doc names (not secret), and nothing else.
		expect(anyContains(stored, enc.encode(patientFileDoc(r.ok ? r.document.id : '')))).toBe(true);
		for (const secret of [fileCanary, titleCanary, 'Tolvar', 'Brenna', '%PDF-1.4']) {
			expect(anyContains(stored, enc.encode(secret)), secret).toBe(false);
		}
	}, 30_000);

	it('lets a role that reads patients view documents but not attach or remove them', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		const docs = new PatientDocumentsState(ws, { prepareImage: fakeReducer().prepare });
		const r = await docs.attach(
			PATIENT_ID,
			{ bytes: pdfWith('x'), mime: 'application/pdf', name: 'x.pdf' },
			{ kind: 'consent-form', title: 'Consent', documentDate: '2026-11-20' }
		);
		const id = r.ok ? r.document.id : '';
		await ws.addUser({
			displayName: 'Billie Biller',
			username: 'billie',
			role: 'billing',
			passphrase: 'temporary passphrase',
			mustChange: false
		});
		await ws.lock();
		expect(await ws.unlock('billie', 'temporary passphrase')).toBe(true);
		expect(ws.can('patients', 'write')).toBe(false);
		// The shard was closed at lock: the first read opens it, and its loading bumps the list.
		const version = () => (docs as unknown as { version: number }).version;
		expect(docs.list(PATIENT_ID)).toEqual([]);
		const before = version();
		await ws.docs().ready(patientsDocFor(PATIENT_ID));
		expect(version()).toBeGreaterThan(before);
		expect(docs.list(PATIENT_ID).map((d) => d.id)).toEqual([id]);
		const opened = await docs.open(id);
		expect(opened.ok).toBe(true);
		const denied = await docs.attach(
			PATIENT_ID,
			{ bytes: pdfWith('y'), mime: 'application/pdf', name: 'y.pdf' },
			{ kind: 'other', title: 'y', documentDate: '2026-11-20' }
		);
		expect(denied).toEqual({ ok: false, problem: expect.stringMatching(/may view .* but not attach/) });
		expect(await docs.remove(id)).toMatchObject({ ok: false });

		// Locking revokes what the viewer held.
		await ws.lock();
		expect(opened.ok && resolveObjectURL(opened.url)).toBeUndefined();
		expect(docs.list(PATIENT_ID)).toEqual([]);
	}, 60_000);

	it('finds the live copy of a document a merge moved to another shard', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		const docs = new PatientDocumentsState(ws, { prepareImage: fakeReducer().prepare });
		const r = await docs.attach(
			PATIENT_ID,
			{ bytes: pdfWith('moved'), mime: 'application/pdf', name: 'x.pdf' },
			{ kind: 'referral', title: 'Moved', documentDate: '2026-11-20' }
		);
		if (!r.ok) throw new Error(r.problem);
		// What a merge into a patient in another shard does (merges.svelte.ts): copy there, delete here.
		const kept = 'a0000000-0000-4000-8000-000000000001';
		const now = new Date().toISOString();
		const hub = ws.docs();
		documentsIn(await hub.ready(patientsDocFor(kept))).insert({
			...r.document,
			patientId: kept,
			updatedAt: now
		});
		documentsIn(await hub.ready(patientsDocFor(PATIENT_ID))).update(r.document.id, { deletedAt: now });
		expect(docs.list(PATIENT_ID)).toEqual([]);
		expect(docs.list(kept).map((d) => d.title)).toEqual(['Moved']);
		const opened = await docs.open(r.document.id);
		expect(opened.ok && opened.document.patientId).toBe(kept);
		expect(await docs.remove(r.document.id)).toEqual({ ok: true });
		expect(docs.list(kept)).toEqual([]);
	}, 30_000);

	it('lists a document that arrived from another workstation, and reports a file still on its way', async () => {
		const ws = await newClinic(new FakeIDBFactory());
		const docs = new PatientDocumentsState(ws);
		expect(docs.list(PATIENT_ID)).toEqual([]);
		// Another workstation's metadata arrives before its file document has.
		const remote = new Y.Doc();
		const now = new Date().toISOString();
		const id = crypto.randomUUID();
		documentsIn(remote).insert({
			id,
			createdAt: now,
			updatedAt: now,
			patientId: PATIENT_ID,
			kind: 'lab-result',
			title: 'CBC',
			documentDate: '2026-11-21',
			mime: 'application/pdf',
			size: 1000,
			addedBy: ws.session!.user.id
		});
		Y.applyUpdate(ws.docs().open(patientsDocFor(PATIENT_ID)), Y.encodeStateAsUpdate(remote));
		expect(docs.list(PATIENT_ID).map((d) => d.title)).toEqual(['CBC']);
		expect(await docs.open(id)).toEqual({ ok: false, problem: expect.stringMatching(/not arrived/) });
	}, 30_000);
});
