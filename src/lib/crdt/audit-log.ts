/**
 * A workstation's audit log, kept in its own documents `audit/<deviceId>/<yyyy-mm>` (one per month).
 *
 * The hash chain (domain/security/audit.ts) needs exactly one writer, but several tabs of one
 * workstation append to the same document and share no memory. Two tabs pushing to one Y.Array
 * would interleave after they merge and break the links; two tabs creating the same map key would
 * lose one tab's array entirely. So the document holds one chain per tab (per app start):
 * `chains`: chainId → Y.Array of plain-JSON entries. Each chain has one writer and a total order;
 * the reader merges all chains by time.
 *
 * Entries are immutable JSON values inside the array: changing one means deleting and inserting,
 * which the chain check names. Entries carry ids and action codes only, never PHI.
 */
import * as Y from 'yjs';
import { z } from 'zod';
import { auditEntry, auditFields, nextEntry, verifyChain, type AuditEntry } from '../domain/security/audit';
import type { ChainVerdict } from '../domain/security/audit';
import {
	CHAIN_ID,
	type AuditAnchor,
	type AuditRow,
	type ChainVerdictRow
} from '../domain/security/audit-rows';
import { isDocName } from '../domain/sync/docnames';

export type { AuditAnchor, AuditRow, ChainVerdictRow };
export type AuditAnchors = Record<string, AuditAnchor>;

/** What a caller supplies; seq, link, hash and the workstation are filled in here. */
const appendInput = auditFields
	.pick({ at: true, userId: true, action: true, recordType: true, recordId: true })
	.partial({ at: true });
export type AuditInput = z.input<typeof appendInput>;

/** Thrown, before anything is written, for fields that could not make a valid entry. */
export class AuditInputError extends Error {
	constructor(readonly zodError: z.ZodError) {
		// prettifyError names fields and rules, not the values given.
		super(`Audit entry not written: ${z.prettifyError(zodError)}`);
		this.name = 'AuditInputError';
	}
}

export function newChainId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(6));
	return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const chainsOf = (doc: Y.Doc): Y.Map<unknown> => doc.getMap('chains');

export class AuditLog {
	readonly deviceId: string;
	readonly chainId: string;
	/** The last entry this log wrote: new entries link to it, not to whatever the array now ends with. */
	private tail: AuditEntry | null = null;
	private queue: Promise<unknown> = Promise.resolve();

	constructor(
		readonly doc: Y.Doc,
		opts: { deviceId: string; chainId?: string }
	) {
		if (!isDocName(`audit/${opts.deviceId}/2000-01`)) throw new Error('Not a workstation id');
		this.deviceId = opts.deviceId;
		this.chainId = opts.chainId ?? newChainId();
		if (!CHAIN_ID.test(this.chainId)) throw new Error('A chain id looks like c-0123456789ab');
		const existing = chainsOf(doc).get(this.chainId);
		if (existing instanceof Y.Array && existing.length > 0) {
			const last = auditEntry.safeParse(existing.get(existing.length - 1));
			if (!last.success) throw new Error(`Chain ${this.chainId} cannot be continued; start a new one`);
			this.tail = last.data;
		}
	}

	/**
	 * Appends one entry to this log's chain. Hashing is asynchronous, so appends go through a queue:
	 * each links to the one before even when callers do not wait. Invalid fields reject with an
	 * AuditInputError and write nothing.
	 */
	append(fields: AuditInput): Promise<AuditEntry> {
		const parsed = appendInput.safeParse(fields);
		if (!parsed.success) return Promise.reject(new AuditInputError(parsed.error));
		const run = this.queue.then(() => this.write(parsed.data));
		// A failed append must not block the ones after it.
		this.queue = run.catch(() => undefined);
		return run;
	}

	/** Resolves when every append asked for so far has been written (e.g. before locking). */
	async settled(): Promise<void> {
		await this.queue;
	}

	private async write(input: z.output<typeof appendInput>): Promise<AuditEntry> {
		const { at, recordType, recordId, ...rest } = input;
		// Optional fields given as undefined are left out, so the stored JSON has no empty keys.
		const entry = await nextEntry(this.tail, {
			...rest,
			...(recordType === undefined ? {} : { recordType }),
			...(recordId === undefined ? {} : { recordId }),
			at: at ?? new Date().toISOString(),
			deviceId: this.deviceId
		});
		const chains = chainsOf(this.doc);
		this.doc.transact(() => {
			let chain = chains.get(this.chainId);
			if (!(chain instanceof Y.Array)) {
				chain = new Y.Array<AuditEntry>();
				chains.set(this.chainId, chain);
			}
			// A copy: Yjs keeps the very object and encodes it later, so a caller editing the returned
			// entry would otherwise rewrite the log.
			(chain as Y.Array<AuditEntry>).push([{ ...entry }]);
		});
		this.tail = entry;
		return entry;
	}

	/** Every valid entry of every chain in this document, by time. */
	entries(): AuditRow[] {
		return sortRows(rowsOf(this.doc));
	}

	/** One verdict per chain; `anchors` (by chain id) reveal a cut tail or a chain deleted whole. */
	verify(anchors: AuditAnchors = {}): Promise<ChainVerdictRow[]> {
		return verifyDoc(this.doc, this.deviceId, anchors);
	}

	/** The current end of every chain, to keep elsewhere and check against later. */
	anchors(): AuditAnchors {
		const out: AuditAnchors = {};
		for (const [chainId, items] of readChains(this.doc)) {
			const last = auditEntry.safeParse(items?.at(-1));
			if (last.success) out[chainId] = { seq: last.data.seq, hash: last.data.hash };
		}
		return out;
	}
}

export interface AuditDoc {
	deviceId: string;
	doc: Y.Doc;
	anchors?: AuditAnchors;
}

/**
 * Reads several workstations' logs (an administrator reviews them all). A Y.Doc does not know its
 * name, so each comes with the device id from its `audit/<deviceId>` name.
 */
export async function readAuditDocs(
	logs: readonly AuditDoc[]
): Promise<{ rows: AuditRow[]; verdicts: ChainVerdictRow[] }> {
	const rows = sortRows(logs.flatMap((l) => rowsOf(l.doc)));
	const verdicts = (await Promise.all(logs.map((l) => verifyDoc(l.doc, l.deviceId, l.anchors)))).flat();
	return { rows, verdicts };
}

/** chainId → its stored items, or null when the value under that id is not a list at all. */
function readChains(doc: Y.Doc): Map<string, unknown[] | null> {
	const out = new Map<string, unknown[] | null>();
	chainsOf(doc).forEach((v, chainId) => out.set(chainId, v instanceof Y.Array ? v.toArray() : null));
	return out;
}

/** Entries that are not valid are left out here; verify() reports where they are. */
function rowsOf(doc: Y.Doc): AuditRow[] {
	const rows: AuditRow[] = [];
	for (const [chainId, items] of readChains(doc)) {
		for (const item of items ?? []) {
			const e = auditEntry.safeParse(item); // parsing copies, so rows never alias stored values
			if (e.success) rows.push({ ...e.data, chainId });
		}
	}
	return rows;
}

function sortRows(rows: AuditRow[]): AuditRow[] {
	return rows.sort(
		(a, b) =>
			Date.parse(a.at) - Date.parse(b.at) ||
			a.seq - b.seq ||
			a.deviceId.localeCompare(b.deviceId) ||
			a.chainId.localeCompare(b.chainId)
	);
}

async function verifyDoc(
	doc: Y.Doc,
	deviceId: string,
	anchors: AuditAnchors = {}
): Promise<ChainVerdictRow[]> {
	const chains = readChains(doc);
	// An anchored chain that is gone entirely is checked as an empty one: verifyChain calls it truncated.
	const ids = [...new Set([...chains.keys(), ...Object.keys(anchors)])].sort();
	return Promise.all(
		ids.map(async (chainId) => ({
			deviceId,
			chainId,
			verdict: await verifyOne(chains.get(chainId), deviceId, anchors[chainId])
		}))
	);
}

async function verifyOne(
	items: unknown[] | null | undefined,
	deviceId: string,
	anchor: AuditAnchor | undefined
): Promise<ChainVerdict> {
	if (items === null)
		return { ok: false, index: 0, seq: null, problem: 'invalid', message: 'Chain is not a list of entries' };
	const list = items ?? [];
	const verdict = await verifyChain(list, anchor);
	// A whole valid chain copied from another workstation's log would pass the hash check.
	const checked = verdict.ok ? list.length : verdict.index;
	const foreign = list.slice(0, checked).findIndex((e) => (e as AuditEntry).deviceId !== deviceId);
	if (foreign < 0) return verdict;
	const seq = (list[foreign] as AuditEntry).seq;
	return { ok: false, index: foreign, seq, problem: 'invalid', message: 'Entry names another workstation' };
}
