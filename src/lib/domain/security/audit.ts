/**
 * The audit log's hash chain. Each workstation appends to its own log (`audit/<deviceId>`), so a log
 * has one writer and a total order. Every entry carries the SHA-256 of the previous entry's canonical
 * form, and its own hash over its fields including that link, so:
 *   - editing an entry changes its hash (its stored hash no longer matches);
 *   - deleting or reordering entries breaks the next entry's `prev` link and the sequence numbers;
 *   - truncating the tail leaves a valid shorter chain, which only an anchor kept elsewhere (the last
 *     sequence number and hash seen by another party: the relay, another device, an export) reveals.
 * Entries hold ids and codes only — never PHI — because logs sync and are exported.
 */
import { z } from 'zod';
import { isoDateTime } from '../common/primitives';

export const auditAction = z.enum([
	'view',
	'create',
	'change',
	'delete',
	'export',
	'print',
	'login',
	'login-failed',
	'logout',
	'lock',
	'role-change',
	'break-glass',
	'resolve-conflict'
]);
export type AuditAction = z.infer<typeof auditAction>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
export const GENESIS = '0'.repeat(64);

export const auditFields = z.strictObject({
	seq: z.number().int().min(0),
	at: isoDateTime,
	userId: z.string().min(1).max(64),
	deviceId: z.string().min(1).max(64),
	action: auditAction,
	recordType: z
		.string()
		.regex(/^[a-z][a-z-]{1,30}$/)
		.optional(),
	recordId: z.uuid().optional(),
	prev: hex64
});
export type AuditFields = z.infer<typeof auditFields>;

export const auditEntry = auditFields.extend({ hash: hex64 });
export type AuditEntry = z.infer<typeof auditEntry>;

const FIELD_ORDER = ['seq', 'at', 'userId', 'deviceId', 'action', 'recordType', 'recordId', 'prev'] as const;

/** A stable serialization: fixed key order, absent optional fields left out. */
export function canonical(fields: AuditFields): string {
	return JSON.stringify(FIELD_ORDER.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
}

export async function hashFields(fields: AuditFields): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical(fields)));
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The next entry after `tail` (or the first one), with its link and hash filled in. */
export async function nextEntry(
	tail: AuditEntry | null,
	fields: Omit<AuditFields, 'seq' | 'prev'>
): Promise<AuditEntry> {
	const full = auditFields.parse({
		...fields,
		seq: tail ? tail.seq + 1 : 0,
		prev: tail ? tail.hash : GENESIS
	});
	return { ...full, hash: await hashFields(full) };
}

export type ChainProblem = 'invalid' | 'edited' | 'missing-or-reordered' | 'truncated';

export type ChainVerdict =
	| { ok: true; length: number; head: string }
	| { ok: false; index: number; seq: number | null; problem: ChainProblem; message: string };

/**
 * Checks a whole log in stored order and names the first broken entry. `anchor` is the last
 * (seq, hash) known to another party; a log that ends before it, or disagrees with it, was truncated
 * or rewritten.
 */
export async function verifyChain(
	entries: unknown[],
	anchor?: { seq: number; hash: string }
): Promise<ChainVerdict> {
	let prev = GENESIS;
	for (let i = 0; i < entries.length; i++) {
		const parsed = auditEntry.safeParse(entries[i]);
		if (!parsed.success) return broken(i, null, 'invalid', 'Entry does not have the form of an audit entry');
		const e = parsed.data;
		const { hash, ...fields } = e;
		if ((await hashFields(fields)) !== hash)
			return broken(i, e.seq, 'edited', 'Entry was changed after it was written');
		if (e.seq !== i || e.prev !== prev)
			return broken(i, e.seq, 'missing-or-reordered', 'Entries before this one were removed or moved');
		prev = hash;
	}
	if (anchor) {
		if (entries.length <= anchor.seq)
			return broken(
				entries.length,
				null,
				'truncated',
				`Log ends before entry ${anchor.seq}, which was seen before`
			);
		const at = auditEntry.parse(entries[anchor.seq]);
		if (at.hash !== anchor.hash)
			return broken(anchor.seq, at.seq, 'truncated', 'Log was rewritten from this entry on');
	}
	return { ok: true, length: entries.length, head: prev };
}

function broken(index: number, seq: number | null, problem: ChainProblem, message: string): ChainVerdict {
	return { ok: false, index, seq, problem, message };
}
