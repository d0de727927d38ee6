import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
	MAX_FILE_BYTES,
	MAX_INPUT_IMAGE_BYTES,
	downloadName,
	fitWithin,
	formatSize,
	imageDimensions,
	patientDocument,
	pdfPageCount,
	sizeProblem,
	sniffMime,
	typeProblem
} from './documents';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const bytes = (...parts: (number[] | string)[]) =>
	Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...ascii(p)] : p)));

/** A real PNG from the app's own icons. */
const PNG = new Uint8Array(readFileSync(new URL('../../../../static/icons/icon-192.png', import.meta.url)));
/** A JPEG's first segments: SOI, APP0 (JFIF), SOF0 for 32 × 16 pixels. */
const JPEG = bytes(
	[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10],
	'JFIF',
	[0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00],
	[
		0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03,
		0x11, 0x01
	]
);
/** Extended WebP (VP8X) of 3000 × 2000 pixels: canvas size minus one, 24-bit little-endian. */
const WEBP_VP8X = bytes(
	'RIFF',
	[0x30, 0, 0, 0],
	'WEBPVP8X',
	[10, 0, 0, 0, 0, 0, 0, 0],
	[0xb7, 0x0b, 0x00, 0xcf, 0x07, 0x00]
);
/** Lossless WebP (VP8L) of 5 × 7 pixels: 14 bits width − 1 (4), 14 bits height − 1 (6). */
const WEBP_VP8L = bytes(
	'RIFF',
	[0x20, 0, 0, 0],
	'WEBPVP8L',
	[0x10, 0, 0, 0, 0x2f],
	[0x04, 0x80, 0x01, 0x00],
	[0, 0, 0, 0, 0]
);
const HEIC = bytes([0, 0, 0, 0x18], 'ftypheic', [0, 0, 0, 0], 'mif1heic');
const PDF = ascii('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n');

function record(overrides: Record<string, unknown> = {}) {
	return {
		id: id(1),
		createdAt: '2026-11-28T15:00:00.000Z',
		updatedAt: '2026-11-28T15:00:00.000Z',
		patientId: id(2),
		kind: 'referral',
		title: '  Referral to cardiology  ',
		documentDate: '2026-11-20',
		mime: 'application/pdf',
		size: 120_000,
		pages: 2,
		addedBy: id(3),
		...overrides
	};
}

describe('patient document record', () => {
	it('accepts a referral and trims its title', () => {
		const d = patientDocument.parse(record());
		expect(d.title).toBe('Referral to cardiology');
		expect(d.kind).toBe('referral');
	});

	it('refuses files over the limit, empty files, other types, long titles and bad dates', () => {
		expect(patientDocument.safeParse(record({ size: MAX_FILE_BYTES })).success).toBe(true);
		expect(patientDocument.safeParse(record({ size: MAX_FILE_BYTES + 1 })).success).toBe(false);
		expect(patientDocument.safeParse(record({ size: 0 })).success).toBe(false);
		expect(patientDocument.safeParse(record({ mime: 'image/gif' })).success).toBe(false);
		expect(patientDocument.safeParse(record({ mime: 'text/html' })).success).toBe(false);
		expect(patientDocument.safeParse(record({ title: 'x'.repeat(121) })).success).toBe(false);
		expect(patientDocument.safeParse(record({ title: '   ' })).success).toBe(false);
		expect(patientDocument.safeParse(record({ documentDate: '2026-13-01' })).success).toBe(false);
		expect(patientDocument.safeParse(record({ kind: 'x-ray' })).success).toBe(false);
		expect(patientDocument.safeParse(record({ addedBy: 'Ada Admin' })).success).toBe(false);
		expect(patientDocument.safeParse(record({ pages: undefined })).success).toBe(true);
	});
});

describe('sniffMime', () => {
	it('knows the accepted types by their magic bytes', () => {
		expect(sniffMime(PDF)).toBe('application/pdf');
		expect(sniffMime(JPEG)).toBe('image/jpeg');
		expect(sniffMime(PNG)).toBe('image/png');
		expect(sniffMime(WEBP_VP8X)).toBe('image/webp');
		expect(sniffMime(WEBP_VP8L)).toBe('image/webp');
	});

	it('names formats browsers cannot show, so the message can say why', () => {
		expect(sniffMime(HEIC)).toBe('image/heic');
		expect(sniffMime(bytes([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]))).toBe('image/tiff');
		expect(sniffMime(bytes('GIF89a', [1, 0, 1, 0]))).toBe('image/gif');
		expect(typeProblem('image/heic')).toMatch(/HEIC.*browsers cannot open/);
		expect(typeProblem('image/tiff')).toMatch(/TIFF/);
		expect(typeProblem('application/pdf')).toBeNull();
	});

	it('does not trust a name or a claimed type: HTML, text, a truncated header are nothing', () => {
		expect(sniffMime(ascii('<!DOCTYPE html><script>alert(1)</script>'))).toBeNull();
		expect(sniffMime(ascii(' %PDF-1.7'))).toBeNull();
		expect(sniffMime(bytes([0xff, 0xd8]))).toBeNull();
		expect(sniffMime(bytes('RIFF', [0, 0, 0, 0], 'WAVE'))).toBeNull();
		expect(sniffMime(new Uint8Array())).toBeNull();
		expect(typeProblem(null)).toMatch(/not a PDF, JPEG, PNG or WebP/);
	});
});

describe('image dimensions from headers', () => {
	it('reads PNG, JPEG and both WebP forms', () => {
		expect(imageDimensions(PNG)).toEqual({ width: 192, height: 192 });
		expect(imageDimensions(JPEG)).toEqual({ width: 32, height: 16 });
		expect(imageDimensions(WEBP_VP8X)).toEqual({ width: 3000, height: 2000 });
		expect(imageDimensions(WEBP_VP8L)).toEqual({ width: 5, height: 7 });
		expect(imageDimensions(PDF)).toBeNull();
	});

	it('fits the longer side within 2000 pixels', () => {
		expect(fitWithin(4000, 3000)).toEqual({ width: 2000, height: 1500 });
		expect(fitWithin(1000, 3000)).toEqual({ width: 667, height: 2000 });
		expect(fitWithin(1200, 800)).toEqual({ width: 1200, height: 800 });
	});
});

describe('size limits', () => {
	it('refuses a PDF over 3 MB with the size and what to do', () => {
		expect(sizeProblem('application/pdf', Math.round(7.4 * 1024 * 1024))).toBe(
			'This PDF is 7.4 MB; the limit is 3 MB. Scan at a lower resolution or split it.'
		);
		expect(sizeProblem('application/pdf', MAX_FILE_BYTES)).toBeNull();
		expect(sizeProblem('application/pdf', MAX_FILE_BYTES + 1)).toMatch(
			/^This PDF is 3\.1 MB; the limit is 3 MB/
		);
		expect(sizeProblem('application/pdf', 0)).toBe('This file is empty.');
	});

	it('lets a large image through to be reduced, but not an absurd one, and judges the result', () => {
		expect(sizeProblem('image/jpeg', 12 * 1024 * 1024)).toBeNull();
		expect(sizeProblem('image/jpeg', MAX_INPUT_IMAGE_BYTES + 1)).toMatch(/images up to 40 MB/);
		expect(sizeProblem('image/jpeg', 3.5 * 1024 * 1024, true)).toMatch(/still 3\.5 MB after reducing/);
		expect(sizeProblem('image/jpeg', 2 * 1024 * 1024, true)).toBeNull();
	});

	it('formats sizes the way the desk reads them', () => {
		expect(formatSize(900)).toBe('900 bytes');
		expect(formatSize(200 * 1024)).toBe('200 KB');
		expect(formatSize(MAX_FILE_BYTES)).toBe('3 MB');
	});
});

describe('pages and download names', () => {
	it('counts uncompressed page objects, not the page tree', () => {
		const pdf = ascii(
			'%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R 3 0 R 4 0 R] /Count 3 >> endobj\n' +
				'2 0 obj << /Type /Page /Parent 1 0 R >> endobj\n3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n' +
				'4 0 obj << /Type /Page >> endobj\n'
		);
		expect(pdfPageCount(pdf)).toBe(3);
		expect(pdfPageCount(PDF)).toBeUndefined();
	});

	it('names downloads by date and type only', () => {
		expect(downloadName('2026-11-20', 'application/pdf')).toBe('document-2026-11-20.pdf');
		expect(downloadName('2026-11-20', 'image/jpeg')).toBe('document-2026-11-20.jpg');
	});
});
