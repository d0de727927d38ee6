/**
 * `npm run token -- --user <id> --role <role> [--docs <prefix,...>] [--read-only] [--ttl <seconds>]
 * [--data-dir DIR]` prints a relay token signed with the key the relay on that DATA_DIR uses
 * (RELAY_JWT_SECRET and CLINIC_ID override the files there, as they do for the relay).
 * Only the token goes to stdout, so `TOKEN=$(npm run -s token -- …)` works.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { signToken } from './auth';
import { loadIdentity } from './identity';

const DEFAULT_DOCS = ['directory', 'schedule/', 'patients/'];
const DEFAULT_TTL = 8 * 3600;

const usage = `usage: npm run token -- --user <id> --role <role> [--docs <prefix,...>] [--read-only]
                      [--ttl <seconds>] [--data-dir <dir>]
  --docs      document names or prefixes ending in "/" (default ${DEFAULT_DOCS.join(',')}); "*" is all
  --ttl       lifetime in seconds (default ${DEFAULT_TTL}); the relay refuses tokens older than TOKEN_MAX_AGE_SECONDS
  --data-dir  the relay's DATA_DIR (default $DATA_DIR or ./data)`;

async function main(argv: string[]): Promise<number> {
	let values;
	try {
		({ values } = parseArgs({
			args: argv,
			options: {
				user: { type: 'string' },
				role: { type: 'string', default: 'front-desk' },
				docs: { type: 'string' },
				'read-only': { type: 'boolean', default: false },
				ttl: { type: 'string' },
				'data-dir': { type: 'string' },
				help: { type: 'boolean', short: 'h', default: false }
			}
		}));
	} catch (e) {
		console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
		return 2;
	}
	if (values.help) {
		console.log(usage);
		return 0;
	}
	if (!values.user) {
		console.error(`--user is required\n${usage}`);
		return 2;
	}
	const ttl = values.ttl === undefined ? DEFAULT_TTL : Number(values.ttl);
	if (!Number.isInteger(ttl) || ttl < 1) {
		console.error('--ttl must be a whole number of seconds');
		return 2;
	}
	const docs = values.docs
		? values.docs
				.split(',')
				.map((d) => d.trim())
				.filter(Boolean)
		: DEFAULT_DOCS;
	const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? 'data');
	try {
		const token = await signToken(loadIdentity(dataDir), {
			sub: values.user,
			role: values.role,
			docs,
			access: values['read-only'] ? 'read' : 'write',
			ttlSeconds: ttl
		});
		process.stdout.write(`${token}\n`);
		return 0;
	} catch (e) {
		console.error(`Could not make a token: ${e instanceof Error ? e.message : String(e)}`);
		return 1;
	}
}

process.exitCode = await main(process.argv.slice(2));
