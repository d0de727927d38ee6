import path from 'node:path';

export interface RelayConfig {
	host: string;
	port: number;
	dataDir: string;
	appDir: string;
	/** Origins allowed to open sync sockets; empty means same-origin only. */
	allowedOrigins: string[];
}

/** Reads the relay's settings from the environment; every value has an embedded default. */
export function loadConfig(
	env: NodeJS.ProcessEnv = process.env,
	defaultAppDir = path.resolve(import.meta.dirname, '../app')
): RelayConfig {
	const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new Error(`PORT must be a whole number from 0 to 65535, got "${env.PORT}"`);
	}
	return {
		host: env.HOST || '0.0.0.0',
		port,
		dataDir: path.resolve(env.DATA_DIR || 'data'),
		appDir: env.APP_DIR ? path.resolve(env.APP_DIR) : defaultAppDir,
		allowedOrigins: (env.ALLOWED_ORIGINS ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean)
	};
}
