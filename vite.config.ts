import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [
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
		testTimeout: 20000
	}
});
