/**
 * Filtering and CSV export of audit rows for the admin screen. Pure, so both are tested without a
 * browser; the view only wires them to form fields and a download.
 */
import { isoDate } from '../common/primitives';
import { localDate } from '../common/time';
import type { AuditAction } from './audit';
import type { AuditRow } from './audit-rows';

const HEADER = ['time', 'user', 'device', 'action', 'record type', 'record id', 'chain', 'seq'];

/**
 * Spreadsheets run a cell that starts with one of these as a formula (tab and CR are stripped
 * first on some), so such a cell gets a leading apostrophe, which makes it plain text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: neutralised against formula injection, quoted when it must be. */
export function csvField(value: string): string {
	const safe = FORMULA_START.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180 CSV (CRLF line ends, header first) of audit rows, in the order given. */
export function auditCsv(rows: readonly AuditRow[]): string {
	const records = rows.map((r) => [
		r.at,
		r.userId,
		r.deviceId,
		r.action,
		r.recordType ?? '',
		r.recordId ?? '',
		r.chainId,
		String(r.seq)
	]);
	return [HEADER, ...records].map((cells) => `${cells.map(csvField).join(',')}\r\n`).join('');
}

export interface AuditFilter {
	userId?: string;
	/** A whole record id or its beginning, in any case (people paste or type the first characters). */
	recordId?: string;
	action?: AuditAction | '';
	/** First and last calendar day to include, `yyyy-mm-dd` as `<input type="date">` gives them. */
	from?: string;
	to?: string;
	/** The zone whose calendar days `from` and `to` name; UTC when left out. */
	timeZone?: string;
}

/**
 * The rows that match every filter given; empty strings mean "any", so form fields bind directly.
 * The date range is inclusive and compares each entry's calendar date in `timeZone` (UTC by
 * default): pass the zone the times are shown in, or an entry at 8 PM in Chicago counts as the
 * next day.
 */
export function filterAudit(rows: readonly AuditRow[], f: AuditFilter): AuditRow[] {
	const from = f.from ? isoDate.parse(f.from) : '';
	const to = f.to ? isoDate.parse(f.to) : '';
	const record = f.recordId?.trim().toLowerCase() ?? '';
	const tz = f.timeZone ?? 'UTC';
	return rows.filter((r) => {
		if (f.userId && r.userId !== f.userId) return false;
		if (f.action && r.action !== f.action) return false;
		if (record && !r.recordId?.toLowerCase().startsWith(record)) return false;
		if (from || to) {
			const day = localDate(r.at, tz);
			if ((from && day < from) || (to && day > to)) return false;
		}
		return true;
	});
}
