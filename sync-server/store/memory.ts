import type { AuditEntry, DocStore, UpdateMeta } from './types';

/** Keeps everything in memory: for tests, and for a relay that must not write to disk. */
export class MemoryStore implements DocStore {
	private readonly docs = new Map<string, Uint8Array[]>();
	private readonly trail: AuditEntry[] = [];
	private seq = 0;
	closed = false;

	async load(doc: string): Promise<Uint8Array[]> {
		this.assertOpen();
		return [...(this.docs.get(doc) ?? [])];
	}

	async append(doc: string, update: Uint8Array, meta: UpdateMeta): Promise<void> {
		this.assertOpen();
		const list = this.docs.get(doc) ?? [];
		list.push(update.slice());
		this.docs.set(doc, list);
		this.seq += 1;
		this.trail.push({ updateId: this.seq, doc, at: new Date().toISOString(), ...meta });
	}

	async compact(doc: string, snapshot: Uint8Array): Promise<void> {
		this.assertOpen();
		this.docs.set(doc, [snapshot.slice()]);
	}

	async audit(doc: string, limit = 1000): Promise<AuditEntry[]> {
		return this.trail.filter((e) => e.doc === doc).slice(0, limit);
	}

	/** How many rows the document has (tests check compaction with it). */
	rowCount(doc: string): number {
		return this.docs.get(doc)?.length ?? 0;
	}

	async close(): Promise<void> {
		this.closed = true;
	}

	private assertOpen(): void {
		if (this.closed) throw new Error('store is closed');
	}
}
