/** Test data only: no generator code imports this. */

/** Very common real US given names and surnames; a demo record must never carry one. */
export const BANNED_GIVEN = new Set(
	(
		'James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew ' +
		'Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Noah Liam Mason Ethan Logan ' +
		'Lucas Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Sara Karen Lisa Nancy Betty ' +
		'Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Emma Olivia Ava ' +
		'Sophia Isabella Mia Anna Maria Laura Kelly Helen Ruth'
	).split(' ')
);
export const BANNED_FAMILY = new Set(
	(
		'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez ' +
		'Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark ' +
		'Ramirez Lewis Robinson Walker Young Allen King Wright Scott Nguyen Hill Flores Green Adams'
	).split(' ')
);
