import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * zod 4 (classic API) gives every schema a `toJSONSchema()` method, so its JSON Schema generator —
 * ~6 KB gzip, 3 % of what loads before the schedule paints — ships wherever zod does. ClinicDesk
 * never generates JSON Schema, so the client build gets stubs for the generator's two modules; a
 * call says where it went instead of returning something wrong. Validation is untouched (tests and
 * the server run the real modules). If zod moves these files the stub stops matching and only the
 * bytes come back. Remove it when the schemas move to `zod/mini`, which has no such method.
 */
function zodWithoutJsonSchema(): Plugin {
	const generator = /[\\/]zod[\\/]v4[\\/]core[\\/](json-schema-processors|to-json-schema)\.js$/;
	const error = `throw new Error('JSON Schema generation is left out of the ClinicDesk client build (vite.config.ts)')`;
	return {
		name: 'clinicdesk:zod-without-json-schema',
		apply: 'build',
		enforce: 'pre',
		load(id, options) {
			if (options?.ssr || !generator.test(id)) return null;
			const source = readFileSync(id, 'utf8');
			const names = [
				...[...source.matchAll(/^export (?:const|function) (\w+)/gm)].map((m) => m[1]!),
				...[...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) =>
					m[1]!.split(',').map((x) =>
						x
							.trim()
							.split(/\s+as\s+/)
							.pop()!
					)
				)
			].filter((n) => n !== '');
			// The create* factories run when a schema's `~standard` props are read: they must return
			// a function, which throws only if it is called.
			return names
				.map((n) =>
					n.startsWith('create')
						? `export const ${n} = () => () => { ${error}; };`
						: `export const ${n} = () => { ${error}; };`
				)
				.join('\n');
		}
	};
}

/**
 * Yjs logs two console warnings through `lib0/logging`, whose browser version brings lib0's DOM and
 * schema modules (~2.4 KB gzip before the schedule paints) to style them. The client build resolves
 * it to `src/lib/shims/lib0-logging.ts`, which prints the same lines plainly. Tests and the server
 * keep the real module.
 */
function lib0LoggingForTheBrowser(): Plugin {
	const shim = fileURLToPath(new URL('./src/lib/shims/lib0-logging.ts', import.meta.url));
	return {
		name: 'clinicdesk:lib0-logging-for-the-browser',
		apply: 'build',
		enforce: 'pre',
		resolveId(source, _importer, options) {
			return !options?.ssr && source === 'lib0/logging' ? shim : null;
		}
	};
}

/**
 * terser (vite's optional minifier, in the lockfile) makes the first load 3–5 % smaller than esbuild's
 * minifier (6–9 KB gzip of the JS that loads before the schedule paints) at the cost of a slower
 * client build. The server build, which only renders the SPA fallback, stays unminified as before.
 */
function terserForTheBrowser(): Plugin {
	return {
		name: 'clinicdesk:terser-for-the-browser',
		apply: 'build',
		configEnvironment(name) {
			return name === 'client'
				? { build: { minify: 'terser', terserOptions: { compress: { passes: 2 } } } }
				: undefined;
		}
	};
}

export default defineConfig({
	plugins: [
		zodWithoutJsonSchema(),
		lib0LoggingForTheBrowser(),
		terserForTheBrowser(),
		sveltekit(),
		SvelteKitPWA({
			registerType: 'prompt',
			injectRegister: false,
			strategies: 'generateSW',
			manifest: {
				name: 'ClinicDesk',
				short_name: 'ClinicDesk',
				description: 'Front desk, scheduling and records for medical offices — works offline.',
				theme_color: '#0f4c5c',
				background_color: '#f6f8f9',
				display: 'standalone',
				start_url: '/',
				scope: '/',
				icons: [
					{ src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
					{ src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
					{ src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
				]
			},
			workbox: {
				navigateFallbackDenylist: [/^\/healthz/, /^\/sync/, /^\/api\//, /^\/ical\//],
				cleanupOutdatedCaches: true,
				// The first install takes control at once; later versions wait for the person to reload.
				clientsClaim: true
			},
			kit: { adapterFallback: 'index.html', spa: true }
		})
	],
	test: {
		include: [
			'src/**/*.test.ts',
			'sync-server/**/*.test.ts',
			'tests/integration/**/*.test.ts',
			'tests/support/**/*.test.ts',
			'bench/**/*.test.ts'
		],
		environment: 'node',
		// rrule loads on demand in the app; tests use the series functions without awaiting it.
		setupFiles: ['src/lib/domain/schedule/rrule-loader.setup.ts'],
		testTimeout: 20000
	}
});
