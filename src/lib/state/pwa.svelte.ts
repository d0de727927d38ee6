/**
 * The installed-app side of the PWA: the service worker's "update available" signal and the
 * browser's install offer. The service worker is registered explicitly, once, from the layout.
 */
import { registerSW } from 'virtual:pwa-register';

interface BeforeInstallPromptEvent extends Event {
	prompt(): Promise<void>;
	userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

export class PwaState {
	updateAvailable = $state(false);
	offlineReady = $state(false);
	canInstall = $state(false);
	private installEvent: BeforeInstallPromptEvent | null = null;
	private updateSW: ((reload?: boolean) => Promise<void>) | null = null;

	start(): void {
		if (this.updateSW || !('serviceWorker' in navigator)) return;
		this.updateSW = registerSW({
			immediate: true,
			onNeedRefresh: () => (this.updateAvailable = true),
			onOfflineReady: () => (this.offlineReady = true)
		});
		window.addEventListener('beforeinstallprompt', (e) => {
			e.preventDefault();
			this.installEvent = e as BeforeInstallPromptEvent;
			this.canInstall = true;
		});
		window.addEventListener('appinstalled', () => {
			this.installEvent = null;
			this.canInstall = false;
		});
	}

	async install(): Promise<void> {
		const e = this.installEvent;
		if (!e) return;
		await e.prompt();
		await e.userChoice;
		this.installEvent = null;
		this.canInstall = false;
	}

	async reloadToUpdate(): Promise<void> {
		// The waiting worker takes over after SKIP_WAITING; reload once it controls the page, whether
		// or not workbox-window reports the takeover as an update.
		navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
		await this.updateSW?.(true);
	}

	dismissUpdate(): void {
		this.updateAvailable = false;
	}
}

export const pwa = new PwaState();
