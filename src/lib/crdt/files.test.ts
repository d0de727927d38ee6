import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MAX_FILE_BYTES } from '../domain/patients/documents';
import { FILE_CHUNK_BYTES, clearFile, fileInfo, readFile, sha256Hex, writeFile } from './files';

const MiB = 1024 * 1024;

/** Deterministic bytes (a small xorshift), so failures reproduce. */
function pseudoRandom(length: number, seed = 7): Uint8Array {
	const out = new Uint8Array(length);
	let x = seed;
	for (let i = 0; i < length; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out[i] = x & 0xff;
	}
	return out;
}

/** Byte equality without vitest's element-by-element deep compare (slow on megabytes). */
function same(a: Uint8Array | false, b: Uint8Array): boolean {
	return (
		a !== false &&
		Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
	);
}

function sync(a: Y.Doc, b: Y.Doc): void {
	Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
	Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
	outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
		for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
		return true;
	}
	return false;
}

describe('file documents', () => {
	it.each([
		['empty', 0],
		['one byte', 1],
		['exactly one chunk', FILE_CHUNK_BYTES],
		['2.9 MiB across chunks', Math.round(2.9 * MiB)]
	])('round-trips a %s file', async (_label, size) => {
		const doc = new Y.Doc();
		const bytes = pseudoRandom(size);
		const info = await writeFile(doc, bytes, 'application/pdf');
		expect(info.chunks).toBe(Math.ceil(size / FILE_CHUNK_BYTES));
		expect(info.sha256).toBe(await sha256Hex(bytes));
		const read = await readFile(doc);
		expect(read.ok).toBe(true);
		if (!read.ok) return;
		expect(read.mime).toBe('application/pdf');
		expect(read.bytes.length).toBe(size);
		expect(same(read.bytes, bytes)).toBe(true);
	});

	it('writes the whole file as one update that fits the relay’s 4 MiB message', async () => {
		const doc = new Y.Doc();
		const updates: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => updates.push(u));
		await writeFile(doc, pseudoRandom(MAX_FILE_BYTES), 'image/jpeg');
		expect(updates).toHaveLength(1);
		expect(Y.encodeStateAsUpdate(doc).length).toBeLessThan(MAX_FILE_BYTES + 4096);
		expect(Y.encodeStateAsUpdate(doc).length).toBeLessThan(4 * MiB);
	});

	it('copies the bytes, so a caller reusing its buffer cannot change the stored file', async () => {
		const doc = new Y.Doc();
		const bytes = pseudoRandom(1000);
		const copy = bytes.slice();
		await writeFile(doc, bytes, 'image/png');
		bytes.fill(0);
		const read = await readFile(doc);
		expect(same(read.ok && read.bytes, copy)).toBe(true);
	});

	it('never writes a second file over the first', async () => {
		const doc = new Y.Doc();
		await writeFile(doc, pseudoRandom(10), 'image/png');
		await expect(writeFile(doc, pseudoRandom(10), 'image/png')).rejects.toThrow(/already holds/);
	});

	it('reports a document that has not arrived, or only in part', async () => {
		expect(await readFile(new Y.Doc())).toEqual({ ok: false, problem: 'missing' });

		const doc = new Y.Doc();
		await writeFile(doc, pseudoRandom(Math.round(2.9 * MiB)), 'application/pdf');
		// The description and all but the last chunk: a replica that has not received everything.
		const partial = new Y.Doc();
		Y.applyUpdate(partial, Y.encodeStateAsUpdate(doc));
		partial.getArray('chunks').delete(11, 1);
		expect(fileInfo(partial)?.chunks).toBe(12);
		expect(await readFile(partial)).toEqual({ ok: false, problem: 'incomplete' });

		// Chunks without their description.
		const bare = new Y.Doc();
		bare.getArray<Uint8Array>('chunks').push([pseudoRandom(10)]);
		expect(await readFile(bare)).toEqual({ ok: false, problem: 'incomplete' });
	});

	it('reports bytes that do not match their SHA-256 as damaged', async () => {
		const source = new Y.Doc();
		await writeFile(source, pseudoRandom(3 * FILE_CHUNK_BYTES), 'application/pdf');
		const info = fileInfo(source)!;
		const damaged = new Y.Doc();
		const chunks = damaged.getArray<Uint8Array>('chunks');
		const original = source.getArray<Uint8Array>('chunks').toArray();
		const flipped = original[1]!.slice();
		flipped[100] = flipped[100]! ^ 0x01;
		chunks.push([original[0]!, flipped, original[2]!]);
		const map = damaged.getMap('file');
		for (const [k, v] of Object.entries(info)) map.set(k, v);
		expect(await readFile(damaged)).toEqual({ ok: false, problem: 'damaged' });

		const wrongType = new Y.Doc();
		Y.applyUpdate(wrongType, Y.encodeStateAsUpdate(source));
		wrongType.getMap('file').set('mime', 'text/html');
		expect(await readFile(wrongType)).toEqual({ ok: false, problem: 'damaged' });
	});

	it('merges across replicas: the other workstation reads the same bytes', async () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const bytes = pseudoRandom(Math.round(1.3 * MiB), 99);
		// b has its own (unrelated) state before the two meet.
		b.getMap('meta').set('schemaVersion', 0);
		await writeFile(a, bytes, 'image/webp');
		sync(a, b);
		const onB = await readFile(b);
		expect(same(onB.ok && onB.bytes, bytes)).toBe(true);
		expect(onB.ok && onB.mime).toBe('image/webp');
		const onA = await readFile(a);
		expect(same(onA.ok && onA.bytes, bytes)).toBe(true);
	});

	it('detects two workstations that wrote the same file document concurrently', async () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		await writeFile(a, pseudoRandom(FILE_CHUNK_BYTES + 10, 1), 'application/pdf');
		await writeFile(b, pseudoRandom(FILE_CHUNK_BYTES + 10, 2), 'application/pdf');
		sync(a, b);
		expect(await readFile(a)).toEqual({ ok: false, problem: 'damaged' });
		expect(await readFile(b)).toEqual({ ok: false, problem: 'damaged' });
	});

	it('clears a removed file: its bytes leave the document and every replica', async () => {
		const canary = new TextEncoder().encode('CANARY-SCAN-4417');
		const bytes = new Uint8Array([...pseudoRandom(5000), ...canary, ...pseudoRandom(5000)]);
		const a = new Y.Doc({ gc: true });
		const b = new Y.Doc({ gc: true });
		await writeFile(a, bytes, 'application/pdf');
		sync(a, b);
		expect(contains(Y.encodeStateAsUpdate(b), canary)).toBe(true);
		clearFile(a);
		sync(a, b);
		for (const doc of [a, b]) {
			expect(await readFile(doc)).toEqual({ ok: false, problem: 'removed' });
			expect(contains(Y.encodeStateAsUpdate(doc), canary)).toBe(false);
		}
		await expect(writeFile(a, bytes, 'application/pdf')).rejects.toThrow();
	});
});
