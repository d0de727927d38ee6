import fs from 'node:fs';
import { loadConfig } from './config';
import { createHttpServer } from './http';

const VERSION = process.env.npm_package_version ?? '0.1.0';

function main(): void {
	const config = loadConfig();
	fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
	const server = createHttpServer(config, VERSION);
	server.on('error', (err: NodeJS.ErrnoException) => {
		console.error(
			`ClinicDesk relay could not listen on ${config.host}:${config.port}: ${err.code ?? err.message}`
		);
		process.exit(1);
	});
	server.listen(config.port, config.host, () => {
		const addr = server.address();
		const port = typeof addr === 'object' && addr ? addr.port : config.port;
		// Tests read this line to learn the port when PORT=0.
		console.log(`ClinicDesk listening on http://127.0.0.1:${port} (data in ${config.dataDir})`);
	});
	let closing = false;
	const shutdown = (signal: string) => {
		if (closing) return;
		closing = true;
		console.log(`ClinicDesk stopping (${signal})`);
		server.close(() => process.exit(0));
		server.closeAllConnections();
		setTimeout(() => process.exit(0), 5000).unref();
	};
	process.on('SIGTERM', () => shutdown('SIGTERM'));
	process.on('SIGINT', () => shutdown('SIGINT'));
}

main();
