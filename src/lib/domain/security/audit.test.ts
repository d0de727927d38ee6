import { describe, expect, it } from 'vitest';
import { GENESIS, nextEntry, verifyChain, type AuditEntry } from './audit';

const patientId = '3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b';

async function chain(n: number): Promise<AuditEntry[]> {
	const out: AuditEntry[] = [];
	for (let i = 0; i < n; i++) {
		out.push(
			await nextEntry(out.at(-1) ?? null, {
				at: `2026-11-28T10:${String(i).padStart(2, '0')}:00.000Z`,
				userId: i % 2 ? 'user-a' : 'user-b',
				deviceId: 'ws-0123456789ab',
				action: i === 0 ? 'login' : 'view',
				...(i === 0 ? {} : { recordType: 'patient', recordId: patientId })
			})
		);
	}
	return out;
}

describe('audit hash chain', () => {
	it('links each entry to the one before and verifies an untouched log', async () => {
		const log = await chain(6);
		expect(log[0]!.prev).toBe(GENESIS);
		expect(log[3]!.prev).toBe(log[2]!.hash);
		expect(await verifyChain(log)).toEqual({ ok: true, length: 6, head: log[5]!.hash });
		expect(await verifyChain([])).toMatchObject({ ok: true, length: 0 });
	});

	it('names an edited entry', async () => {
		const log = await chain(6);
		log[3] = { ...log[3]!, action: 'export' };
		expect(await verifyChain(log)).toMatchObject({ ok: false, index: 3, seq: 3, problem: 'edited' });
	});

	it('catches an edit whose hash was recomputed, at the next entry', async () => {
		const log = await chain(6);
		const { seq: _s, prev: _p, hash: _h, ...fields } = log[2]!;
		const forged = await nextEntry(log[1]!, { ...fields, userId: 'someone-else' });
		log[2] = forged;
		expect(await verifyChain(log)).toMatchObject({ ok: false, index: 3, problem: 'missing-or-reordered' });
	});

	it('names where entries were deleted or reordered', async () => {
		const deleted = await chain(6);
		deleted.splice(2, 1);
		expect(await verifyChain(deleted)).toMatchObject({
			ok: false,
			index: 2,
			seq: 3,
			problem: 'missing-or-reordered'
		});
		const swapped = await chain(6);
		[swapped[1], swapped[4]] = [swapped[4]!, swapped[1]!];
		expect(await verifyChain(swapped)).toMatchObject({
			ok: false,
			index: 1,
			problem: 'missing-or-reordered'
		});
	});

	it('detects truncation only against an anchor seen elsewhere', async () => {
		const log = await chain(6);
		const anchor = { seq: 5, hash: log[5]!.hash };
		const cut = log.slice(0, 4);
		expect(await verifyChain(cut)).toMatchObject({ ok: true });
		expect(await verifyChain(cut, anchor)).toMatchObject({ ok: false, index: 4, problem: 'truncated' });
		expect(await verifyChain(log, anchor)).toMatchObject({ ok: true });
	});

	it('refuses malformed entries and any field that could carry PHI', async () => {
		const log = await chain(3);
		expect(await verifyChain([...log, { nonsense: true }])).toMatchObject({
			ok: false,
			index: 3,
			problem: 'invalid'
		});
		await expect(
			nextEntry(log[2]!, {
				at: '2026-11-28T11:00:00.000Z',
				userId: 'user-a',
				deviceId: 'ws-0123456789ab',
				action: 'view',
				recordType: 'patient',
				// @ts-expect-error -- entries have no free-text field
				note: 'Quillonary Zarathwick'
			})
		).rejects.toThrow();
	});
});
