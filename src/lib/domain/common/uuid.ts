/**
 * Deterministic ids (RFC 9562 UUIDv5: SHA-1 of namespace + name). Two workstations deriving the id
 * of the same thing offline get the same record id, so a merge keeps one record, not two.
 */

/** SHA-1 of bytes (pure TypeScript: the domain layer has no WebCrypto, and this must be synchronous). */
export function sha1(bytes: Uint8Array): Uint8Array {
	const ml = bytes.length * 8;
	const padded = new Uint8Array((((bytes.length + 8) >> 6) + 1) * 64);
	padded.set(bytes);
	padded[bytes.length] = 0x80;
	const view = new DataView(padded.buffer);
	view.setUint32(padded.length - 8, Math.floor(ml / 0x100000000));
	view.setUint32(padded.length - 4, ml >>> 0);
	let h0 = 0x67452301,
		h1 = 0xefcdab89,
		h2 = 0x98badcfe,
		h3 = 0x10325476,
		h4 = 0xc3d2e1f0;
	const w = new Uint32Array(80);
	for (let off = 0; off < padded.length; off += 64) {
		for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
		for (let i = 16; i < 80; i++) {
			const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!;
			w[i] = (x << 1) | (x >>> 31);
		}
		let a = h0,
			b = h1,
			c = h2,
			d = h3,
			e = h4;
		for (let i = 0; i < 80; i++) {
			let f: number, k: number;
			if (i < 20) [f, k] = [(b & c) | (~b & d), 0x5a827999];
			else if (i < 40) [f, k] = [b ^ c ^ d, 0x6ed9eba1];
			else if (i < 60) [f, k] = [(b & c) | (b & d) | (c & d), 0x8f1bbcdc];
			else [f, k] = [b ^ c ^ d, 0xca62c1d6];
			const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) >>> 0;
			e = d;
			d = c;
			c = (b << 30) | (b >>> 2);
			b = a;
			a = t;
		}
		h0 = (h0 + a) >>> 0;
		h1 = (h1 + b) >>> 0;
		h2 = (h2 + c) >>> 0;
		h3 = (h3 + d) >>> 0;
		h4 = (h4 + e) >>> 0;
	}
	const out = new Uint8Array(20);
	const ov = new DataView(out.buffer);
	[h0, h1, h2, h3, h4].forEach((h, i) => ov.setUint32(i * 4, h));
	return out;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** UUIDv5 (RFC 9562 §5.5) of a UTF-8 name in a namespace UUID. */
export function uuidV5(name: string, namespace: string): string {
	const ns = namespace.replace(/-/g, '');
	if (!/^[0-9a-f]{32}$/i.test(ns)) throw new RangeError('Namespace must be a UUID');
	const nameBytes = new TextEncoder().encode(name);
	const input = new Uint8Array(16 + nameBytes.length);
	for (let i = 0; i < 16; i++) input[i] = parseInt(ns.slice(i * 2, i * 2 + 2), 16);
	input.set(nameBytes, 16);
	const h = sha1(input).subarray(0, 16);
	h[6] = (h[6]! & 0x0f) | 0x50;
	h[8] = (h[8]! & 0x3f) | 0x80;
	const s = hex(h);
	return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** Namespace for ClinicDesk's derived ids (a fixed random UUID; never change it). */
export const CLINICDESK_NAMESPACE = '3f5b8a2e-9c41-4d7e-b6a0-5e2f1c7d9a43';
