import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { eventually, provider, syncMessage, token, whenSynced } from './support/clients';
import { MuxClient } from './support/mux';
import {
	ensureRelayBuilt,
	newIdentity,
	startRelay,
	tempDir,
	type RunningRelay,
	removeTempDirs
} from './support/relay';

const identity = newIdentity();
const dataDir = tempDir('readonly');
let relay: RunningRelay;

beforeAll(async () => {
	await ensureRelayBuilt();
	relay = await startRelay({ identity, dataDir });
});

afterAll(async () => {
	await relay.stop();
	removeTempDirs();
});

interface AuditRow {
	doc: string;
	user_id: string;
	role: string;
	bytes: number;
	update_id: number;
}

function auditRows(): AuditRow[] {
	const db = new Database(path.join(dataDir, 'relay.sqlite'), { readonly: true });
	try {
		return db
			.prepare('SELECT doc, user_id, role, bytes, update_id FROM audit ORDER BY id')
			.all() as AuditRow[];
	} finally {
		db.close();
	}
}

describe('read-only access', () => {
	it("never lets a read-only client's writes reach other clients or the stored document", async () => {
		const writerToken = await token(identity, { sub: 'writer', role: 'front-desk' });
		const readerToken = await token(identity, { sub: 'reader', role: 'auditor', access: 'read' });
		const writerDoc = new Y.Doc();
		const readerDoc = new Y.Doc();
		const writer = provider(relay.wsUrl, 'schedule/2026-05', writerDoc, writerToken);
		const reader = provider(relay.wsUrl, 'schedule/2026-05', readerDoc, readerToken);
		await Promise.all([whenSynced(writer), whenSynced(reader)]);

		writerDoc.getMap('appointments').set('w', 'written by writer');
		await eventually(() => readerDoc.getMap('appointments').get('w') === 'written by writer');
		readerDoc.getMap('appointments').set('r', 'written by reader');

		// The reader over the multiplexed endpoint tries too, with a raw update message.
		const mux = new MuxClient(relay.wsUrl, readerToken);
		const rogue = new Y.Doc();
		rogue.getMap('appointments').set('m', 'written through mux');
		const update = Y.encodeStateAsUpdate(rogue);
		await mux.opened;
		mux.send({ type: 'open', channel: 1, docName: 'schedule/2026-05' });
		await mux.waitFor((f) => f.type === 'message' && f.channel === 1);
		mux.send({
			type: 'message',
			channel: 1,
			payload: syncMessage(2, update)
		});
		mux.send({
			type: 'message',
			channel: 1,
			payload: syncMessage(1, update)
		});
		// The answer to a query-awareness comes after the relay has handled both updates.
		const before = mux.frames.length;
		mux.send({ type: 'message', channel: 1, payload: new Uint8Array([3]) });
		await mux.waitFor(
			(f) => f.type === 'message' && f.channel === 1 && f.payload[0] === 1 && mux.frames.indexOf(f) >= before
		);

		// Awareness is allowed for readers, and it is the barrier: once the writer sees the reader's
		// presence, every message the reader sent before it has been handled by the relay.
		reader.awareness.setLocalStateField('user', { name: 'reader' });
		await eventually(() => writer.awareness.getStates().get(readerDoc.clientID)?.user?.name === 'reader');
		writerDoc.getMap('appointments').set('w2', 'second');
		await eventually(() => readerDoc.getMap('appointments').get('w2') === 'second');
		expect([...writerDoc.getMap('appointments').keys()].sort()).toEqual(['w', 'w2']);

		writer.destroy();
		reader.destroy();
		mux.close();
		// A fresh relay process on the same data holds only the writer's changes.
		await relay.stop();
		relay = await startRelay({ identity, dataDir });
		const fresh = new Y.Doc();
		const check = provider(relay.wsUrl, 'schedule/2026-05', fresh, writerToken);
		await whenSynced(check);
		expect(fresh.getMap('appointments').toJSON()).toEqual({ w: 'written by writer', w2: 'second' });
		check.destroy();

		const rows = auditRows().filter((r) => r.doc === 'schedule/2026-05');
		expect(rows.length).toBeGreaterThanOrEqual(2);
		expect(new Set(rows.map((r) => r.user_id))).toEqual(new Set(['writer']));
		expect(rows.every((r) => r.role === 'front-desk' && r.bytes > 0 && r.update_id > 0)).toBe(true);
	});
});
