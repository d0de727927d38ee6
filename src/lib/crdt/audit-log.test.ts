import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { nextEntry, type AuditEntry } from '../domain/security/audit';
import { AuditInputError, AuditLog, newChainId, readAuditDocs } from './audit-log';

const DEVICE = 'ws-0123456789ab';
const patientId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const at = (minute: number) => `2026-11-28T10:${String(minute).padStart(2, '0')}:00.000Z`;

async function logWith(n: number, doc = new Y.Doc()): Promise<AuditLog> {
	const log = new AuditLog(doc, { deviceId: DEVICE });
	for (let i = 0; i < n; i++) {
		await log.append({
			at: at(i),
			userId: 'user-a',
			action: 'view',
			recordType: 'patient',
			recordId: patientId
		});
	}
	return log;
}

function chainOf(log: AuditLog): Y.Array<AuditEntry> {
	return log.doc.getMap('chains').get(log.chainId) as Y.Array<AuditEntry>;
}

/** Exchanges everything two documents hold, both ways, as two workstations' tabs would via the relay. */
function merge(a: Y.Doc, b: Y.Doc): void {
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
}

describe('AuditLog', () => {
	it('appends linked entries and reads them back with chain and device', async () => {
		const log = await logWith(3);
		const rows = log.entries();
		expect(rows.map((r) => [r.seq, r.at, r.chainId, r.deviceId])).toEqual([
			[0, at(0), log.chainId, DEVICE],
			[1, at(1), log.chainId, DEVICE],
			[2, at(2), log.chainId, DEVICE]
		]);
		expect(rows[1]!.prev).toBe(rows[0]!.hash);
		expect(log.chainId).toMatch(/^c-[0-9a-f]{12}$/);
		expect(await log.verify()).toEqual([
			{ deviceId: DEVICE, chainId: log.chainId, verdict: { ok: true, length: 3, head: rows[2]!.hash } }
		]);
		// The stored entries are plain JSON that survive the trip to another workstation.
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(log.doc));
		expect(new AuditLog(copy, { deviceId: DEVICE }).entries()).toEqual(rows);
	});

	it('fills in the time and keeps absent optional fields out of the stored entry', async () => {
		const log = new AuditLog(new Y.Doc(), { deviceId: DEVICE });
		const before = Date.now();
		const e = await log.append({ userId: 'user-a', action: 'login', recordId: undefined });
		expect(Date.parse(e.at)).toBeGreaterThanOrEqual(before);
		expect(Object.keys(chainOf(log).get(0))).not.toContain('recordId');
	});

	it('serializes appends that callers do not wait for', async () => {
		const log = new AuditLog(new Y.Doc(), { deviceId: DEVICE });
		const written = await Promise.all(
			[0, 1, 2, 3, 4].map((i) => log.append({ at: at(i), userId: 'user-a', action: 'view' }))
		);
		expect(written.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
		expect((await log.verify())[0]!.verdict).toMatchObject({ ok: true, length: 5 });
	});

	it('refuses invalid fields clearly, writes nothing, and keeps appending afterwards', async () => {
		const log = new AuditLog(new Y.Doc(), { deviceId: DEVICE });
		const bad = log.append({ userId: 'user-a', action: 'view', recordId: 'not-a-uuid' });
		await expect(bad).rejects.toBeInstanceOf(AuditInputError);
		await expect(bad).rejects.toThrow(/recordId/);
		// @ts-expect-error -- entries have no free-text field, so nothing typed can end up in a log
		await expect(log.append({ userId: 'user-a', action: 'view', note: 'Quillonary' })).rejects.toThrow(
			/note/
		);
		// @ts-expect-error -- not an action
		await expect(log.append({ userId: 'user-a', action: 'peek' })).rejects.toThrow(AuditInputError);
		expect(log.doc.getMap('chains').size).toBe(0);
		expect((await log.append({ userId: 'user-a', action: 'view' })).seq).toBe(0);
	});

	it('keeps appending after a write failed, and hands out entries that do not alias the log', async () => {
		const log = new AuditLog(new Y.Doc(), { deviceId: DEVICE });
		const digest = vi.spyOn(crypto.subtle, 'digest').mockRejectedValueOnce(new Error('crypto unavailable'));
		await expect(log.append({ userId: 'user-a', action: 'view' })).rejects.toThrow('crypto unavailable');
		digest.mockRestore();
		const e = await log.append({ userId: 'user-a', action: 'view' });
		expect(e.seq).toBe(0);
		(e as { action: string }).action = 'export';
		expect((await log.verify())[0]!.verdict).toMatchObject({ ok: true, length: 1 });
	});

	it('refuses a device id that could not name a log document, and a malformed chain id', () => {
		expect(() => new AuditLog(new Y.Doc(), { deviceId: 'Front Desk PC' })).toThrow();
		expect(() => new AuditLog(new Y.Doc(), { deviceId: DEVICE, chainId: 'tab-1' })).toThrow();
	});

	it('keeps two tabs of one workstation intact when they append at once and merge', async () => {
		const tabA = new AuditLog(new Y.Doc(), { deviceId: DEVICE });
		const tabB = new AuditLog(new Y.Doc(), { deviceId: DEVICE });
		expect(tabA.chainId).not.toBe(tabB.chainId);
		await Promise.all(
			[0, 1, 2, 3].flatMap((i) => [
				tabA.append({ at: at(i), userId: 'user-a', action: 'view' }),
				tabB.append({ at: at(i), userId: 'user-b', action: 'change' })
			])
		);
		merge(tabA.doc, tabB.doc);
		for (const tab of [tabA, tabB]) {
			const verdicts = await tab.verify();
			expect(verdicts.map((v) => v.chainId).sort()).toEqual([tabA.chainId, tabB.chainId].sort());
			for (const v of verdicts) expect(v.verdict).toMatchObject({ ok: true, length: 4 });
			expect(tab.entries()).toHaveLength(8);
		}
		expect(tabA.entries()).toEqual(tabB.entries());
		// Both tabs keep appending to their own chain after the merge.
		await tabA.append({ at: at(9), userId: 'user-a', action: 'logout' });
		merge(tabA.doc, tabB.doc);
		expect((await tabB.verify()).every((v) => v.verdict.ok)).toBe(true);
	});

	it('shows why each tab needs its own chain: sharing one loses a tab’s entries on merge', async () => {
		const chainId = newChainId();
		const tabA = new AuditLog(new Y.Doc(), { deviceId: DEVICE, chainId });
		const tabB = new AuditLog(new Y.Doc(), { deviceId: DEVICE, chainId });
		await tabA.append({ at: at(0), userId: 'user-a', action: 'view' });
		await tabB.append({ at: at(1), userId: 'user-b', action: 'view' });
		merge(tabA.doc, tabB.doc);
		// Both created the map key at once; Yjs keeps one array and drops the other silently.
		expect(tabA.entries()).toHaveLength(1);
	});

	it('names an entry edited inside the array', async () => {
		const log = await logWith(5);
		const chain = chainOf(log);
		log.doc.transact(() => {
			const e = chain.get(2);
			chain.delete(2, 1);
			chain.insert(2, [{ ...e, action: 'export' }]);
		});
		expect(await log.verify()).toMatchObject([
			{ chainId: log.chainId, verdict: { ok: false, index: 2, seq: 2, problem: 'edited' } }
		]);
	});

	it('names where an entry was deleted', async () => {
		const log = await logWith(5);
		chainOf(log).delete(1, 1);
		expect((await log.verify())[0]!.verdict).toMatchObject({
			ok: false,
			index: 1,
			seq: 2,
			problem: 'missing-or-reordered'
		});
	});

	it('names where two entries were swapped', async () => {
		const log = await logWith(5);
		const chain = chainOf(log);
		log.doc.transact(() => {
			const [e2, e3] = [chain.get(2), chain.get(3)];
			chain.delete(2, 2);
			chain.insert(2, [e3, e2]);
		});
		expect((await log.verify())[0]!.verdict).toMatchObject({
			ok: false,
			index: 2,
			seq: 3,
			problem: 'missing-or-reordered'
		});
	});

	it('detects a cut tail or a deleted chain only against anchors kept elsewhere', async () => {
		const log = await logWith(5);
		const anchors = log.anchors();
		expect(anchors[log.chainId]).toEqual({ seq: 4, hash: chainOf(log).get(4).hash });
		expect((await log.verify(anchors))[0]!.verdict).toMatchObject({ ok: true, length: 5 });

		chainOf(log).delete(3, 2);
		expect((await log.verify())[0]!.verdict).toMatchObject({ ok: true, length: 3 });
		expect((await log.verify(anchors))[0]!.verdict).toMatchObject({
			ok: false,
			index: 3,
			problem: 'truncated'
		});

		log.doc.getMap('chains').delete(log.chainId);
		expect(await log.verify()).toEqual([]);
		expect(await log.verify(anchors)).toMatchObject([
			{ chainId: log.chainId, verdict: { ok: false, index: 0, problem: 'truncated' } }
		]);
	});

	it('links new entries to what it wrote, so a forged tail with a recomputed hash is exposed', async () => {
		const log = await logWith(3);
		const chain = chainOf(log);
		const { seq: _s, prev: _p, hash: _h, ...fields } = chain.get(2);
		const forged = await nextEntry(chain.get(1), { ...fields, userId: 'someone-else' });
		log.doc.transact(() => {
			chain.delete(2, 1);
			chain.insert(2, [forged]);
		});
		expect((await log.verify())[0]!.verdict).toMatchObject({ ok: true });
		await log.append({ at: at(5), userId: 'user-a', action: 'logout' });
		expect((await log.verify())[0]!.verdict).toMatchObject({
			ok: false,
			index: 3,
			problem: 'missing-or-reordered'
		});
	});

	it('reports junk in a chain without showing it as an entry', async () => {
		const log = await logWith(3);
		chainOf(log).insert(1, [{ seq: 1, note: 'x' } as unknown as AuditEntry]);
		log.doc.getMap('chains').set('c-000000000000', 'not a list');
		expect(log.entries()).toHaveLength(3);
		// Verdicts come sorted by chain id, and no random id sorts before this one.
		expect(await log.verify()).toMatchObject([
			{ chainId: 'c-000000000000', verdict: { ok: false, index: 0, problem: 'invalid' } },
			{ chainId: log.chainId, verdict: { ok: false, index: 1, problem: 'invalid' } }
		]);
	});

	it('reads every workstation’s log and flags a chain copied from another workstation', async () => {
		const other = 'ws-ba9876543210';
		const mine = await logWith(2);
		const theirs = new AuditLog(new Y.Doc(), { deviceId: other });
		await theirs.append({ at: at(1), userId: 'user-b', action: 'login' });
		await theirs.append({ at: at(1), userId: 'user-b', action: 'view' });
		const { rows, verdicts } = await readAuditDocs([
			{ deviceId: DEVICE, doc: mine.doc },
			{ deviceId: other, doc: theirs.doc }
		]);
		// By time, then sequence number within the same instant.
		expect(rows.map((r) => [r.at, r.deviceId, r.seq])).toEqual([
			[at(0), DEVICE, 0],
			[at(1), other, 0],
			[at(1), DEVICE, 1],
			[at(1), other, 1]
		]);
		expect(verdicts.map((v) => [v.deviceId, v.verdict.ok])).toEqual([
			[DEVICE, true],
			[other, true]
		]);

		// A valid chain planted in another workstation's log still names its real workstation.
		const planted = new Y.Array<AuditEntry>();
		mine.doc.getMap('chains').set(theirs.chainId, planted);
		planted.push(chainOf(theirs).toArray());
		const again = await readAuditDocs([{ deviceId: DEVICE, doc: mine.doc }]);
		expect(again.verdicts.find((v) => v.chainId === theirs.chainId)!.verdict).toMatchObject({
			ok: false,
			index: 0,
			problem: 'invalid'
		});
	});
});
