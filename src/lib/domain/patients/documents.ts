/**
 * Documents on a patient's record: scans and PDFs (referrals, insurance cards, consent forms).
 *
 * The metadata is a record in the patient's shard (`documents`); the bytes live in a document of
 * their own (crdt/files.ts), opened only when someone views the file. A document's first sync with
 * the relay is one WebSocket message (at most 4 MiB), so each file is limited to 3 MiB after
 * processing: large images are reduced in the browser, PDFs over the limit are refused.
 *
 * The type of a file is judged from its first bytes, never from the name or the type the browser
 * reports: the viewer hands the bytes to the browser under the sniffed type, so an HTML page renamed
 * `.pdf` must never be shown as one.
 */
import { z } from 'zod';
import { isoDate, nonEmpty, recordBase, recordId } from '../common/primitives';

/** The largest file stored, after any reduction: 3 MiB (the relay's messages are at most 4 MiB). */
export const MAX_FILE_BYTES = 3 * 1024 * 1024;
/** Images with a longer side than this (pixels) are reduced before storing. */
export const MAX_IMAGE_SIDE = 2000;
/** JPEG quality used when an image is reduced. */
export const JPEG_QUALITY = 0.85;
/** Images larger than this are not even read: no phone or scanner image needs more. */
export const MAX_INPUT_IMAGE_BYTES = 40 * 1024 * 1024;

export const allowedMime = z.enum(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']);
export type AllowedMime = z.infer<typeof allowedMime>;
export type ImageMime = Exclude<AllowedMime, 'application/pdf'>;

/** For the file input's `accept`. */
export const ACCEPT = allowedMime.options.join(',');

export const documentKind = z.enum([
	'referral',
	'insurance-card-front',
	'insurance-card-back',
	'consent-form',
	'id-card',
	'lab-result',
	'imaging',
	'correspondence',
	'other'
]);
export type DocumentKind = z.infer<typeof documentKind>;

export const DOCUMENT_KIND_LABELS: Record<DocumentKind, string> = {
	referral: 'Referral',
	'insurance-card-front': 'Insurance card (front)',
	'insurance-card-back': 'Insurance card (back)',
	'consent-form': 'Consent form',
	'id-card': 'ID card',
	'lab-result': 'Lab result',
	imaging: 'Imaging report',
	correspondence: 'Correspondence',
	other: 'Other'
};

export const patientDocument = recordBase.extend({
	patientId: recordId,
	kind: documentKind,
	title: nonEmpty(120),
	/** The date on the document (the referral's date, the day the consent was signed). */
	documentDate: isoDate,
	mime: allowedMime,
	/** Stored bytes (after any reduction). */
	size: z.number().int().min(1).max(MAX_FILE_BYTES),
	/** Page count when known (images: 1; PDFs: best effort). */
	pages: z.number().int().min(1).max(10_000).optional(),
	/** The staff user who attached it (an id, never a name). */
	addedBy: recordId
});
export type PatientDocument = z.infer<typeof patientDocument>;

/** What the first bytes say a file is; the refused kinds are named so the message can say why. */
export type SniffedType = AllowedMime | 'image/heic' | 'image/tiff' | 'image/gif' | 'image/bmp';

/** The file's type from its magic bytes, or null when it is none of the kinds ClinicDesk knows. */
export function sniffMime(bytes: Uint8Array): SniffedType | null {
	const at = (offset: number, ...sig: number[]) => sig.every((b, i) => bytes[offset + i] === b);
	const ascii = (offset: number, text: string) => at(offset, ...[...text].map((c) => c.charCodeAt(0)));
	if (ascii(0, '%PDF-')) return 'application/pdf';
	if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
	if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
	if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
	if (ascii(4, 'ftyp') && HEIF_BRANDS.some((b) => ascii(8, b))) return 'image/heic';
	if (at(0, 0x49, 0x49, 0x2a, 0x00) || at(0, 0x4d, 0x4d, 0x00, 0x2a)) return 'image/tiff';
	if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
	if (ascii(0, 'BM') && bytes.length > 14) return 'image/bmp';
	return null;
}

const HEIF_BRANDS = ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif'];

export function isImage(mime: AllowedMime): mime is ImageMime {
	return mime !== 'application/pdf';
}

/** Why a file of this (sniffed) type cannot be attached, or null when it can. */
export function typeProblem(sniffed: SniffedType | null): string | null {
	switch (sniffed) {
		case 'application/pdf':
		case 'image/jpeg':
		case 'image/png':
		case 'image/webp':
			return null;
		case 'image/heic':
			return (
				'This is a HEIC/HEIF photo (the iPhone format), which browsers cannot open. ' +
				'Set the camera to “Most Compatible” (JPEG), or export the photo as JPEG, and attach that.'
			);
		case 'image/tiff':
			return 'This is a TIFF scan, which browsers cannot show. Have the scanner save PDF or JPEG instead.';
		case 'image/gif':
		case 'image/bmp':
			return 'This image format is not accepted. Save it as JPEG or PNG and attach that.';
		default:
			return 'This file is not a PDF, JPEG, PNG or WebP image. Only scans and PDFs can be attached.';
	}
}

/** `7.4 MB`, `512 KB`, `900 bytes` (binary units, as file managers on Windows show them). */
export function formatSize(bytes: number): string {
	if (bytes < 1024) return `${bytes} bytes`;
	if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
	const mb = Math.ceil((bytes / (1024 * 1024)) * 10) / 10;
	return `${Number.isInteger(mb) ? mb.toFixed(0) : mb.toFixed(1)} MB`;
}

const LIMIT_TEXT = formatSize(MAX_FILE_BYTES);

/**
 * Why a file of `bytes` cannot be stored, or null when it can. `reduced` says whether an image was
 * already reduced as far as ClinicDesk goes (then only a smaller scan helps).
 */
export function sizeProblem(mime: AllowedMime, bytes: number, reduced = false): string | null {
	if (bytes <= 0) return 'This file is empty.';
	if (mime === 'application/pdf') {
		return bytes > MAX_FILE_BYTES
			? `This PDF is ${formatSize(bytes)}; the limit is ${LIMIT_TEXT}. Scan at a lower resolution or split it.`
			: null;
	}
	if (!reduced) {
		return bytes > MAX_INPUT_IMAGE_BYTES
			? `This image is ${formatSize(bytes)}; images up to ${formatSize(MAX_INPUT_IMAGE_BYTES)} can be reduced to fit. Take the photo at a lower resolution.`
			: null;
	}
	return bytes > MAX_FILE_BYTES
		? `This image is still ${formatSize(bytes)} after reducing it; the limit is ${LIMIT_TEXT}. Scan at a lower resolution or crop it.`
		: null;
}

/** The size an image of width × height is reduced to so that its longer side is at most `maxSide`. */
export function fitWithin(
	width: number,
	height: number,
	maxSide = MAX_IMAGE_SIDE
): { width: number; height: number } {
	const longest = Math.max(width, height);
	if (longest <= maxSide) return { width, height };
	const k = maxSide / longest;
	return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** Images with more pixels than this are not decoded at all (a decoded image takes 4 bytes a pixel). */
export const MAX_IMAGE_PIXELS = 100_000_000;

/**
 * An image's pixel size read from its header (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X), so that an
 * absurdly large image is refused before the browser tries to decode it; null when not found.
 */
export function imageDimensions(bytes: Uint8Array): { width: number; height: number } | null {
	const u16be = (i: number) => ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
	const u16le = (i: number) => (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8);
	const u24le = (i: number) => u16le(i) | ((bytes[i + 2] ?? 0) << 16);
	const u32be = (i: number) => u16be(i) * 0x10000 + u16be(i + 2);
	const sniffed = sniffMime(bytes);
	if (sniffed === 'image/png') {
		return bytes.length >= 24 ? { width: u32be(16), height: u32be(20) } : null;
	}
	if (sniffed === 'image/jpeg') {
		let i = 2;
		while (i + 9 < bytes.length) {
			if (bytes[i] !== 0xff) return null;
			const marker = bytes[i + 1]!;
			if (marker === 0xff) {
				i += 1; // fill byte
				continue;
			}
			const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
			if (isSof) return { width: u16be(i + 7), height: u16be(i + 5) };
			if (marker === 0xd9 || marker === 0xda) return null;
			i += 2 + u16be(i + 2);
		}
		return null;
	}
	if (sniffed === 'image/webp' && bytes.length >= 30) {
		const chunk = String.fromCharCode(...bytes.subarray(12, 16));
		if (chunk === 'VP8X') return { width: u24le(24) + 1, height: u24le(27) + 1 };
		if (chunk === 'VP8L') {
			// After the 0x2f signature: 14 bits width − 1, then 14 bits height − 1, least significant first.
			const bits = u24le(21) + (bytes[24] ?? 0) * 0x1000000;
			return { width: (bits % 0x4000) + 1, height: (Math.floor(bits / 0x4000) % 0x4000) + 1 };
		}
		if (chunk === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
	}
	return null;
}

/**
 * A PDF's page count when its page objects are readable as text (scanners write them so), else
 * undefined: pages inside compressed object streams are not counted.
 */
export function pdfPageCount(bytes: Uint8Array): number | undefined {
	let text = '';
	// Latin-1 keeps one character per byte; chunked so a large file does not overflow the call stack.
	for (let i = 0; i < bytes.length; i += 0x8000) {
		text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	}
	const n = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
	return n > 0 ? Math.min(n, 10_000) : undefined;
}

const EXTENSIONS: Record<AllowedMime, string> = {
	'application/pdf': 'pdf',
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp'
};

/** A download's file name: the document date and type only, never a title or a patient's name. */
export function downloadName(documentDate: string, mime: AllowedMime): string {
	return `document-${documentDate}.${EXTENSIONS[mime]}`;
}

/** Why a stored file could not be read (crdt/files.ts), in words for the person at the desk. */
export type FileProblem = 'missing' | 'incomplete' | 'damaged' | 'removed';

export const FILE_PROBLEM_TEXT: Record<FileProblem, string> = {
	missing: 'The file has not arrived on this workstation yet. Check the connection to the clinic server.',
	incomplete: 'The file has not fully arrived yet. Try again in a moment.',
	damaged: 'This file is damaged and cannot be shown. Attach it again from the original.',
	removed: 'This document was removed from the record.'
};
