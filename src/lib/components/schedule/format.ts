const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** `9:30 AM` in the clinic's time zone. */
export function clinicTime(iso: string, timeZone: string): string {
	let f = timeFormats.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' });
		timeFormats.set(timeZone, f);
	}
	return f.format(new Date(iso));
}

/** `Saturday, November 28, 2026` for a calendar date. */
export function longDate(date: string): string {
	return new Intl.DateTimeFormat('en-US', { dateStyle: 'full', timeZone: 'UTC' }).format(
		new Date(`${date}T00:00:00Z`)
	);
}
