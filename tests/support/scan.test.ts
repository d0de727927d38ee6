import { describe, expect, it } from 'vitest';
import { findPlaintext } from './scan';

const b64 = (b: Buffer) => b.toString('base64');

describe('plaintext scanner', () => {
	it('finds a needle stored as UTF-8, UTF-16LE or in another case', () => {
		const dump = [
			{
				where: 'utf8',
				base64: b64(Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from('xxQuillonyy', 'utf8')]))
			},
			{ where: 'utf16', base64: b64(Buffer.from('..Quillon..', 'utf16le')) },
			{ where: 'upper', base64: b64(Buffer.from('QUILLON', 'utf8')) },
			{ where: 'clean', base64: b64(Buffer.from('Quil lon', 'utf8')) }
		];
		expect(findPlaintext(dump, 'Quillon')).toEqual([
			{ where: 'utf8', encoding: 'utf-8' },
			{ where: 'utf16', encoding: 'utf-16le' },
			{ where: 'upper', encoding: 'utf-8' }
		]);
	});

	it('refuses needles so short they would match by chance', () => {
		expect(() => findPlaintext([], 'abc')).toThrow();
	});
});
