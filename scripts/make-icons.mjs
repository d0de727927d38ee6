// Draws the app icons (a white cross on the brand teal) as PNGs, so the repo needs no image tools.
// Run with `npm run icons`; the output is committed under static/icons/.
import fs from 'node:fs';
import zlib from 'node:zlib';

const TEAL = [0x0f, 0x4c, 0x5c];
const WHITE = [0xff, 0xff, 0xff];

function crc32(buf) {
	let c = ~0;
	for (const b of buf) {
		c ^= b;
		for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
	}
	return ~c >>> 0;
}

function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}

/** pixel(x, y) returns [r, g, b, a]. */
function png(size, pixel) {
	const raw = Buffer.alloc(size * (size * 4 + 1));
	for (let y = 0; y < size; y++) {
		raw[y * (size * 4 + 1)] = 0;
		for (let x = 0; x < size; x++) {
			const o = y * (size * 4 + 1) + 1 + x * 4;
			const [r, g, b, a] = pixel(x, y);
			raw[o] = r;
			raw[o + 1] = g;
			raw[o + 2] = b;
			raw[o + 3] = a;
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(size, 0);
	ihdr.writeUInt32BE(size, 4);
	ihdr[8] = 8;
	ihdr[9] = 6;
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
		chunk('IEND', Buffer.alloc(0))
	]);
}

/** A cross of arm width w (share of size) centred, inside a rounded square or a full bleed. */
function icon(size, { maskable }) {
	const arm = size * (maskable ? 0.14 : 0.18);
	const reach = size * (maskable ? 0.26 : 0.34);
	const radius = size * 0.2;
	const c = size / 2;
	return png(size, (x, y) => {
		const px = x + 0.5;
		const py = y + 0.5;
		if (!maskable) {
			const dx = Math.max(radius - px, px - (size - radius), 0);
			const dy = Math.max(radius - py, py - (size - radius), 0);
			if (dx * dx + dy * dy > radius * radius) return [0, 0, 0, 0];
		}
		const inCross =
			(Math.abs(px - c) <= arm / 2 && Math.abs(py - c) <= reach) ||
			(Math.abs(py - c) <= arm / 2 && Math.abs(px - c) <= reach);
		return [...(inCross ? WHITE : TEAL), 255];
	});
}

fs.mkdirSync('static/icons', { recursive: true });
fs.writeFileSync('static/icons/icon-192.png', icon(192, { maskable: false }));
fs.writeFileSync('static/icons/icon-512.png', icon(512, { maskable: false }));
fs.writeFileSync('static/icons/maskable-512.png', icon(512, { maskable: true }));
fs.writeFileSync('static/favicon.png', icon(64, { maskable: false }));
fs.writeFileSync('static/icons/apple-touch-icon.png', icon(180, { maskable: true }));
console.log('icons written to static/icons/');
