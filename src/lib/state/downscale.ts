/**
 * Reduces a scan or photo in the browser before it is stored: longer side at most MAX_IMAGE_SIDE
 * pixels and at most MAX_FILE_BYTES, as JPEG at JPEG_QUALITY on a white background (transparent
 * PNG areas would otherwise turn black). Images already within both limits are kept as they are.
 * Re-encoding also drops the photo's EXIF data (camera, location); the orientation it records is
 * applied first. Everything happens in memory: nothing is written to disk or Cache Storage.
 */
import {
	fitWithin,
	imageDimensions,
	JPEG_QUALITY,
	MAX_FILE_BYTES,
	MAX_IMAGE_PIXELS,
	MAX_IMAGE_SIDE,
	sizeProblem,
	type AllowedMime,
	type ImageMime
} from '../domain/patients/documents';

export interface PreparedImage {
	bytes: Uint8Array;
	mime: AllowedMime;
	/** Whether the image was re-encoded. */
	reduced: boolean;
}

/** Turns an accepted image into what is stored; injectable so tests in Node can skip the canvas. */
export type PrepareImage = (bytes: Uint8Array, mime: ImageMime) => Promise<PreparedImage>;

/** An image that cannot be stored, with the reason in words for the person at the desk. */
export class ImageProblem extends Error {
	override name = 'ImageProblem';
}

const UNREADABLE =
	'This image could not be read. It may be damaged, or saved in a format the browser cannot open.';

export const downscaleImage: PrepareImage = async (bytes, mime) => {
	const dims = imageDimensions(bytes);
	if (dims && dims.width * dims.height > MAX_IMAGE_PIXELS) {
		throw new ImageProblem(
			`This image is ${dims.width} × ${dims.height} pixels, too large to reduce here. Take it at a lower resolution.`
		);
	}
	// Decoded even when small enough, so an image the browser cannot show is refused now, not in the viewer.
	if (typeof createImageBitmap !== 'function') {
		if (bytes.length <= MAX_FILE_BYTES) return { bytes, mime, reduced: false };
		throw new ImageProblem('This browser cannot reduce images. Scan at a lower resolution and try again.');
	}
	let bitmap: ImageBitmap;
	try {
		bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }), {
			imageOrientation: 'from-image'
		});
	} catch {
		throw new ImageProblem(UNREADABLE);
	}
	try {
		if (bytes.length <= MAX_FILE_BYTES && Math.max(bitmap.width, bitmap.height) <= MAX_IMAGE_SIDE) {
			return { bytes, mime, reduced: false };
		}
		let target = fitWithin(bitmap.width, bitmap.height, MAX_IMAGE_SIDE);
		let size = 0;
		// A very detailed scan may still be too large at 2000 px: shrink by a fifth at a time.
		for (let attempt = 0; attempt < 5; attempt++) {
			const out = await encodeJpeg(bitmap, target.width, target.height);
			if (out.length <= MAX_FILE_BYTES) return { bytes: out, mime: 'image/jpeg', reduced: true };
			size = out.length;
			target = {
				width: Math.max(1, Math.round(target.width * 0.8)),
				height: Math.max(1, Math.round(target.height * 0.8))
			};
		}
		throw new ImageProblem(sizeProblem('image/jpeg', size, true) ?? UNREADABLE);
	} finally {
		bitmap.close();
	}
};

async function encodeJpeg(bitmap: ImageBitmap, width: number, height: number): Promise<Uint8Array> {
	let blob: Blob | null;
	if (typeof OffscreenCanvas !== 'undefined') {
		const canvas = new OffscreenCanvas(width, height);
		const ctx = canvas.getContext('2d');
		if (!ctx) throw new ImageProblem(UNREADABLE);
		draw(ctx, bitmap, width, height);
		blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
	} else {
		const canvas = document.createElement('canvas');
		canvas.width = width;
		canvas.height = height;
		const ctx = canvas.getContext('2d');
		if (!ctx) throw new ImageProblem(UNREADABLE);
		draw(ctx, bitmap, width, height);
		blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
		// Release the canvas's pixels at once rather than at the next garbage collection.
		canvas.width = canvas.height = 0;
	}
	if (!blob) throw new ImageProblem(UNREADABLE);
	return new Uint8Array(await blob.arrayBuffer());
}

function draw(
	ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D,
	bitmap: ImageBitmap,
	width: number,
	height: number
): void {
	ctx.fillStyle = '#ffffff';
	ctx.fillRect(0, 0, width, height);
	ctx.imageSmoothingEnabled = true;
	ctx.imageSmoothingQuality = 'high';
	ctx.drawImage(bitmap, 0, 0, width, height);
}
