import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config';
import { createHttpServer } from './http';
import { loadIdentity } from './identity';
import { attachRelay, type Relay } from './relay';
import { SqliteStore } from './store/sqlite';

const VERSION = process.env.npm_package_version ?? '0.1.0';

function main(): void {
	// The database holds clinic data in the clear and DATA_DIR may already exist with looser
	// permissions: everything the relay creates (SQLite and its WAL, secrets) is owner-only.
	process.umask(0o077);
	const config = loadConfig();
	fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
	const identity = loadIdentity(config.dataDir);
	const store = new SqliteStore(path.join(config.dataDir, 'relay.sqlite'));
	let relay: Relay | null = null;
	const server = createHttpServer(
		config,
		VERSION,
		() => relay?.stats() ?? { documents: 0, connections: 0 },
		() => relay?.handleAuth,
		() => relay?.handleFeeds
	);
	relay = attachRelay(server, { config, identity, store });
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
		if (closing || !relay) return;
		closing = true;
		console.log(`ClinicDesk stopping (${signal})`);
		// Should flushing hang (a stuck disk), still exit — but say so, and not with success.
		setTimeout(() => {
			console.error('ClinicDesk: shutdown timed out before the store was flushed');
			process.exit(1);
		}, 10_000).unref();
		server.close();
		server.closeIdleConnections();
		relay.shutdown().then(
			() => {
				server.closeAllConnections();
				console.log('ClinicDesk stopped: documents flushed, store closed');
				process.exit(0);
			},
			(e: unknown) => {
				console.error(`ClinicDesk: shutdown failed: ${e instanceof Error ? e.message : 'unknown'}`);
				process.exit(1);
			}
		);
	};
	process.on('SIGTERM', () => shutdown('SIGTERM'));
	process.on('SIGINT', () => shutdown('SIGINT'));
}

main();
