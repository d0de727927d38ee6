/**
 * Plaintext scanner. The browser side dumps every byte the app could have left at rest — every
 * IndexedDB database, store, key and value, localStorage, sessionStorage and Cache Storage — as
 * labelled byte blobs; the node side looks for a needle in them as UTF-8 and as UTF-16LE (how
 * JavaScript strings sit in memory and in some structured-clone encodings), case-insensitively.
 */

export interface Blob64 {
	where: string;
	base64: string;
}

export interface Hit {
	where: string;
	encoding: 'utf-8' | 'utf-16le';
}

function variants(needle: string): { encoding: Hit['encoding']; bytes: Buffer }[] {
	const forms = new Set([needle, needle.toLowerCase(), needle.toUpperCase()]);
	return [...forms].flatMap((f) => [
		{ encoding: 'utf-8' as const, bytes: Buffer.from(f, 'utf8') },
		{ encoding: 'utf-16le' as const, bytes: Buffer.from(f, 'utf16le') }
	]);
}

export function findPlaintext(dump: Blob64[], needle: string): Hit[] {
	if (needle.length < 4) throw new Error('Use a needle of at least 4 characters to avoid chance matches');
	const hits: Hit[] = [];
	const forms = variants(needle);
	for (const blob of dump) {
		const bytes = Buffer.from(blob.base64, 'base64');
		for (const f of forms) {
			if (bytes.includes(f.bytes) && !hits.some((h) => h.where === blob.where && h.encoding === f.encoding)) {
				hits.push({ where: blob.where, encoding: f.encoding });
			}
		}
	}
	return hits;
}

/**
 * Runs in the page (passed to page.evaluate): serializes everything at rest into base64 blobs.
 * Kept self-contained because Playwright sends its source text to the browser.
 */
export async function dumpBrowserStorage(): Promise<Blob64[]> {
	const out: Blob64[] = [];
	const enc = new TextEncoder();
	const toB64 = (bytes: Uint8Array) => {
		let s = '';
		for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
		return btoa(s);
	};
	const utf16 = (str: string) => {
		const b = new Uint8Array(str.length * 2);
		for (let i = 0; i < str.length; i++) {
			const c = str.charCodeAt(i);
			b[i * 2] = c & 0xff;
			b[i * 2 + 1] = c >> 8;
		}
		return b;
	};
	// Flattens any structured-clone value into byte chunks: strings as UTF-8 and UTF-16, binary as is.
	const flatten = (v: unknown, chunks: Uint8Array[], seen: Set<unknown>): void => {
		if (v === null || v === undefined) return;
		if (typeof v === 'string') {
			chunks.push(enc.encode(v), utf16(v));
		} else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
			chunks.push(enc.encode(String(v)));
		} else if (v instanceof ArrayBuffer) {
			chunks.push(new Uint8Array(v));
		} else if (ArrayBuffer.isView(v)) {
			chunks.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
		} else if (typeof v === 'object') {
			if (seen.has(v)) return;
			seen.add(v);
			if (v instanceof Map) {
				for (const [k, x] of v) {
					flatten(k, chunks, seen);
					flatten(x, chunks, seen);
				}
			} else if (v instanceof Set) for (const x of v) flatten(x, chunks, seen);
			else {
				for (const [k, x] of Object.entries(v)) {
					flatten(k, chunks, seen);
					flatten(x, chunks, seen);
				}
			}
		}
	};
	const pack = (where: string, value: unknown) => {
		const chunks: Uint8Array[] = [];
		flatten(value, chunks, new Set());
		const total = chunks.reduce((n, c) => n + c.length + 1, 0);
		const all = new Uint8Array(total);
		let o = 0;
		for (const c of chunks) {
			all.set(c, o);
			o += c.length + 1;
		}
		out.push({ where, base64: toB64(all) });
	};
	const req = <T>(r: IDBRequest<T>) =>
		new Promise<T>((res, rej) => {
			r.onsuccess = () => res(r.result);
			r.onerror = () => rej(r.error);
		});

	for (const info of await indexedDB.databases()) {
		if (!info.name) continue;
		out.push({ where: `idb-name:${info.name}`, base64: toB64(enc.encode(info.name)) });
		const db = await new Promise<IDBDatabase>((res, rej) => {
			const r = indexedDB.open(info.name!);
			r.onsuccess = () => res(r.result);
			r.onerror = () => rej(r.error);
		});
		for (const storeName of Array.from(db.objectStoreNames)) {
			const tx = db.transaction(storeName, 'readonly');
			const store = tx.objectStore(storeName);
			const [keys, values] = await Promise.all([req(store.getAllKeys()), req(store.getAll())]);
			pack(`idb:${info.name}/${storeName}`, { storeName, keys, values });
		}
		db.close();
	}
	const webStorage = (s: Storage) =>
		Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i)!)]));
	pack('localStorage', webStorage(localStorage));
	pack('sessionStorage', webStorage(sessionStorage));
	for (const name of await caches.keys()) {
		const cache = await caches.open(name);
		for (const request of await cache.keys()) {
			const res = await cache.match(request);
			const body = res ? new Uint8Array(await res.arrayBuffer()) : new Uint8Array();
			out.push({ where: `cache:${name}:${new URL(request.url).pathname}`, base64: toB64(body) });
		}
	}
	return out;
}
