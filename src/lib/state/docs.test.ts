/**
 * DocHub reports documents that need a newer app: when it opens one, and when a colleague's newer
 * app raises a document's reader format while it is open (crdt/migrations.ts).
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { appointmentsIn } from '../crdt/collections';
import { READER_FORMAT, requireReaderFormat } from '../crdt/migrations';
import type { DocName } from '../crdt/layout';
import { generateDataKey } from '../persistence/crypto';
import { DocHub } from './docs';

const MONTH = 'schedule/2026-11' as DocName;
const OTHER = 'schedule/2026-12' as DocName;
let hubs: DocHub[] = [];

afterEach(async () => {
	await Promise.all(hubs.map((h) => h.close()));
	hubs = [];
});

async function hub(idb: IDBFactory, reported: DocName[]): Promise<DocHub> {
	const key = await generateDataKey();
	const h = new DocHub({
		idb,
		dbName: 'clinicdesk-00000000-0000-4000-8000-0000000000aa',
		keysFor: () => [key],
		onNewerSchema: (name) => reported.push(name)
	});
	hubs.push(h);
	return h;
}

describe('DocHub: documents written by a newer app', () => {
	it('reports nothing for documents this version wrote', async () => {
		const reported: DocName[] = [];
		const h = await hub(new IDBFactory(), reported);
		const doc = await h.ready(MONTH);
		appointmentsIn(doc).insert({
			id: '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b',
			createdAt: '2026-11-20T10:00:00.000Z',
			updatedAt: '2026-11-20T10:00:00.000Z',
			patientId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
			providerId: '1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e',
			typeId: '3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a',
			start: '2026-11-21T15:00:00.000Z',
			end: '2026-11-21T15:20:00.000Z',
			status: 'booked',
			reason: 'Follow-up',
			notes: ''
		});
		await h.ready(OTHER);
		expect(reported).toEqual([]);
	});

	it('reports an open document once a sync brings records in a newer format, and only once', async () => {
		const reported: DocName[] = [];
		const h = await hub(new IDBFactory(), reported);
		const doc = await h.ready(MONTH);
		await h.ready(OTHER);
		const colleague = new Y.Doc();
		requireReaderFormat(colleague, READER_FORMAT + 1);
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(colleague), 'relay');
		Y.applyUpdate(doc, Y.encodeStateAsUpdate(colleague), 'relay');
		expect(reported).toEqual([MONTH]);
	});
});
