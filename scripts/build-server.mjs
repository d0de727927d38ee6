// Bundles the relay (sync-server/ and the domain code it imports) into one ESM file.
// npm packages stay external: they are installed next to it.
import { build } from 'esbuild';

await build({
	entryPoints: ['sync-server/main.ts'],
	outfile: 'build/server/main.js',
	bundle: true,
	platform: 'node',
	target: 'node20',
	format: 'esm',
	packages: 'external',
	sourcemap: true,
	logLevel: 'warning'
});
