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
const layer = (names) => names.flatMap((n) => [`**/${n}/*`, `**/${n}`, `$lib/${n}/*`, `$lib/${n}`]);
const ui = ['svelte', 'svelte/*', '$app/*'];
const boundary = (files, forbidden, why) => ({
	files,
	rules: {
		'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message: why }] }]
	}
});

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
	boundary(
		['src/lib/domain/**'],
		[...layer(['crdt', 'persistence', 'sync', 'state', 'components', 'routes']), 'yjs', 'y-*', ...ui],
		'src/lib/domain is pure TypeScript: no Yjs, Svelte, DOM or higher layers.'
	),
	boundary(
		['src/lib/crdt/**'],
		[...layer(['persistence', 'sync', 'state', 'components', 'routes']), ...ui],
		'src/lib/crdt may use domain only.'
	),
	boundary(
		['src/lib/persistence/**', 'src/lib/sync/**'],
		[...layer(['state', 'components', 'routes']), ...ui],
		'persistence and sync sit below state and the UI.'
	),
	boundary(
		['src/lib/state/**'],
		[...layer(['components', 'routes'])],
		'state sits below components and routes.'
	),
	boundary(['src/lib/components/**'], [...layer(['routes'])], 'components do not import routes.'),
	boundary(
		['sync-server/**'],
		[...layer(['crdt', 'persistence', 'sync', 'state', 'components', 'routes']), ...ui],
		'The relay may import src/lib/domain and nothing above it.'
	)
);
