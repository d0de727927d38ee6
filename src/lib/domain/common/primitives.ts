import { z } from 'zod';

/** Every record is keyed by a random UUID, never by a slot, a time or a name. */
export const recordId = z.uuid();
export type RecordId = z.infer<typeof recordId>;

/** A calendar date without a time: `2026-11-28`. */
export const isoDate = z.iso.date();
/** An instant with an offset or Z: `2026-11-28T14:30:00.000Z`. */
export const isoDateTime = z.iso.datetime({ offset: true });

/** Fields every stored record carries. Records are soft-deleted so nothing vanishes silently. */
export const recordBase = z.object({
	id: recordId,
	createdAt: isoDateTime,
	updatedAt: isoDateTime,
	deletedAt: isoDateTime.optional()
});
export type RecordBase = z.infer<typeof recordBase>;

/** IANA time zone name, checked against the runtime's tz database. */
export const timeZone = z.string().refine(
	(tz) => {
		try {
			new Intl.DateTimeFormat('en-US', { timeZone: tz });
			return true;
		} catch {
			return false;
		}
	},
	{ message: 'Unknown time zone' }
);

/** `#rrggbb` colour used for appointment types and presence. */
export const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour like #1a7f5a');

export const nonEmpty = (max: number) => z.string().trim().min(1, 'Required').max(max);
