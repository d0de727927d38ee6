/**
 * One attached file's bytes in a Y.Doc of its own (`patients/f-<id>`, layout.ts): a Y.Array of
 * binary chunks and a small Y.Map `file` {size, mime, sha256, chunks}. Everything is written in one
 * transaction, so the file travels and is stored as one update; a reader still checks the chunk
 * count, the length and the SHA-256 before trusting it, because a replica may hold the description
 * before the bytes, or (after two writers raced on the same id) bytes that do not belong together.
 *
 * The description map is not called `meta`: that map is the migration layer's (`schemaVersion`).
 */
import * as Y from 'yjs';
import { allowedMime, type AllowedMime, type FileProblem } from '../domain/patients/documents';

/** 256 KiB per chunk: a 3 MiB file is 12 chunks. */
export const FILE_CHUNK_BYTES = 256 * 1024;

const CHUNKS = 'chunks';
const INFO = 'file';

export interface FileInfo {
	size: number;
	mime: AllowedMime;
	sha256: string;
	chunks: number;
}

export type FileRead =
	{ ok: true; bytes: Uint8Array; mime: AllowedMime; sha256: string } | { ok: false; problem: FileProblem };

const chunksOf = (doc: Y.Doc) => doc.getArray<Uint8Array>(CHUNKS);
const infoOf = (doc: Y.Doc) => doc.getMap<unknown>(INFO);

/** Whether the document holds (or held) a file: a new file is only ever written to an empty one. */
export function hasFile(doc: Y.Doc): boolean {
	const info = infoOf(doc);
	return chunksOf(doc).length > 0 || info.has('sha256') || info.get('removed') === true;
}

/** Stores `bytes` in an empty file document, in one transaction. */
export async function writeFile(
	doc: Y.Doc,
	bytes: Uint8Array,
	mime: AllowedMime,
	origin: unknown = null
): Promise<FileInfo> {
	if (hasFile(doc)) throw new Error('This file document already holds a file');
	const sha256 = await sha256Hex(bytes);
	const parts: Uint8Array[] = [];
	// Copies, so a caller that reuses its buffer cannot change what was stored.
	for (let i = 0; i < bytes.length; i += FILE_CHUNK_BYTES) parts.push(bytes.slice(i, i + FILE_CHUNK_BYTES));
	const info: FileInfo = { size: bytes.length, mime, sha256, chunks: parts.length };
	doc.transact(() => {
		if (parts.length) chunksOf(doc).push(parts);
		const map = infoOf(doc);
		for (const [k, v] of Object.entries(info)) map.set(k, v);
	}, origin);
	return info;
}

/** The description of the stored file, without reading its bytes; null when none (yet). */
export function fileInfo(doc: Y.Doc): FileInfo | null {
	const map = infoOf(doc);
	const size = map.get('size');
	const mime = allowedMime.safeParse(map.get('mime'));
	const sha256 = map.get('sha256');
	const chunks = map.get('chunks');
	if (
		typeof size !== 'number' ||
		!Number.isInteger(size) ||
		size < 0 ||
		!mime.success ||
		typeof sha256 !== 'string' ||
		!/^[0-9a-f]{64}$/.test(sha256) ||
		typeof chunks !== 'number' ||
		!Number.isInteger(chunks) ||
		chunks < 0
	) {
		return null;
	}
	return { size, mime: mime.data, sha256, chunks };
}

/** The stored bytes, checked for completeness and integrity. */
export async function readFile(doc: Y.Doc): Promise<FileRead> {
	const map = infoOf(doc);
	if (map.get('removed') === true) return { ok: false, problem: 'removed' };
	const chunks = chunksOf(doc).toArray();
	const info = fileInfo(doc);
	if (!info) {
		// Bytes without a (valid) description: either still arriving or written by something else.
		if (map.has('sha256') || map.has('size')) return { ok: false, problem: 'damaged' };
		return { ok: false, problem: chunks.length ? 'incomplete' : 'missing' };
	}
	let total = 0;
	for (const c of chunks) {
		if (!(c instanceof Uint8Array)) return { ok: false, problem: 'damaged' };
		total += c.length;
	}
	if (chunks.length < info.chunks && total < info.size) return { ok: false, problem: 'incomplete' };
	if (chunks.length !== info.chunks || total !== info.size) return { ok: false, problem: 'damaged' };
	const bytes = new Uint8Array(total);
	let at = 0;
	for (const c of chunks) {
		bytes.set(c, at);
		at += c.length;
	}
	if ((await sha256Hex(bytes)) !== info.sha256) return { ok: false, problem: 'damaged' };
	return { ok: true, bytes, mime: info.mime, sha256: info.sha256 };
}

/**
 * Empties the document and marks it removed. With garbage collection on (DocHub), the deleted
 * chunks' contents are dropped from the document; older stored updates are rewritten away only when
 * the local store compacts.
 */
export function clearFile(doc: Y.Doc, origin: unknown = null): void {
	doc.transact(() => {
		const chunks = chunksOf(doc);
		if (chunks.length) chunks.delete(0, chunks.length);
		const map = infoOf(doc);
		for (const k of [...map.keys()]) map.delete(k);
		map.set('removed', true);
	}, origin);
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
