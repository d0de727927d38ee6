/**
 * The relay's log: one line per event, `relay <event> key=value…`. Callers pass only names, ids,
 * codes and counts — never document contents, awareness states or tokens (PHI and credentials).
 * LOG_LEVEL (debug | info | warn | error, default info) sets how much is printed.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
type Fields = Record<string, string | number | boolean | undefined>;

const order: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function threshold(): number {
	const wanted = process.env.LOG_LEVEL as Level | undefined;
	return wanted && wanted in order ? order[wanted] : order.info;
}

const min = threshold();

function write(level: Level, event: string, fields: Fields = {}): void {
	if (order[level] < min) return;
	const parts = [`relay ${event}`];
	for (const [k, v] of Object.entries(fields)) if (v !== undefined) parts.push(`${k}=${String(v)}`);
	const line = parts.join(' ');
	if (level === 'error' || level === 'warn') console.error(line);
	else console.log(line);
}

export const log = {
	debug: (event: string, fields?: Fields) => write('debug', event, fields),
	info: (event: string, fields?: Fields) => write('info', event, fields),
	warn: (event: string, fields?: Fields) => write('warn', event, fields),
	error: (event: string, fields?: Fields) => write('error', event, fields)
};
