import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// A single-page app: every route is rendered in the browser from local data,
		// so the relay serves index.html for any path it does not know.
		adapter: adapter({ pages: 'build/app', assets: 'build/app', fallback: 'index.html', strict: true }),
		serviceWorker: { register: false }
	},
	compilerOptions: { runes: true }
};

export default config;
