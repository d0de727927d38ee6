import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * Imports only flow downhill (STYLE.md rule 1):
 * domain → crdt → persistence / sync → state → components → routes; the relay may use domain only.
 */
const ui = ['svelte', 'svelte/*', '$app/*'];

/**
 * A relative import leaves src/lib/<layer>/ with as many '../' as the file is deep, so the rule is
 * written per depth: that way src/lib/domain/sync/ (a domain folder) is not mistaken for the sync
 * layer src/lib/sync/.
 */
function boundary(dir, forbidden, extra, why) {
	return [1, 2, 3].map((depth) => {
		const up = '../'.repeat(depth);
		const group = [
			...forbidden.flatMap((n) => [`${up}${n}`, `${up}${n}/*`, `$lib/${n}`, `$lib/${n}/*`]),
			...extra
		];
		return {
			files: [`${dir}/${'*/'.repeat(depth - 1)}*.{ts,js,svelte}`],
			rules: { 'no-restricted-imports': ['error', { patterns: [{ group, message: why }] }] }
		};
	});
}

export default ts.config(
	{
		ignores: [
			'build/',
			'.svelte-kit/',
			'node_modules/',
			'test-results/',
			'playwright-report/',
			'data/',
			'bench/results/'
		]
	},
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	prettier,
	...svelte.configs.prettier,
	{
		languageOptions: {
			globals: { ...globals.browser, ...globals.node },
			parserOptions: {
				projectService: true,
				extraFileExtensions: ['.svelte'],
				tsconfigRootDir: import.meta.dirname
			}
		},
		rules: {
			// IndexedDB, WebCrypto and sockets are all promises: a forgotten await loses data silently.
			'@typescript-eslint/no-floating-promises': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'no-undef': 'off'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser, svelteConfig } }
	},
	{
		// State classes hold their own non-reactive indexes (Map) and timestamps (Date) and publish
		// results by replacing $state.raw arrays, so Svelte's reactive collections are not wanted here.
		files: ['src/lib/state/**'],
		rules: { 'svelte/prefer-svelte-reactivity': 'off' }
	},
	{
		files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
		...ts.configs.disableTypeChecked
	},
	...boundary(
		'src/lib/domain',
		['crdt', 'persistence', 'sync', 'state', 'components', 'routes'],
		['yjs', 'y-*', ...ui],
		'src/lib/domain is pure TypeScript: no Yjs, Svelte, DOM or higher layers.'
	),
	...boundary(
		'src/lib/crdt',
		['persistence', 'sync', 'state', 'components', 'routes'],
		ui,
		'src/lib/crdt may use domain only.'
	),
	...boundary(
		'src/lib/persistence',
		['state', 'components', 'routes'],
		ui,
		'persistence sits below state and the UI.'
	),
	...boundary('src/lib/sync', ['state', 'components', 'routes'], ui, 'sync sits below state and the UI.'),
	...boundary('src/lib/state', ['components', 'routes'], [], 'state sits below components and routes.'),
	...boundary('src/lib/components', ['routes'], [], 'components do not import routes.'),
	...boundary(
		'sync-server',
		['lib/crdt', 'lib/persistence', 'lib/sync', 'lib/state', 'lib/components', 'src/routes'],
		[
			'**/src/lib/crdt/*',
			'**/src/lib/persistence/*',
			'**/src/lib/sync/*',
			'**/src/lib/state/*',
			'**/src/lib/components/*',
			...ui
		],
		'The relay may import src/lib/domain and nothing above it.'
	)
);
