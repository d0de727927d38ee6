/** Whether the browser believes it has a network. Sync status joins this in the sync issue. */
export class ConnectivityState {
	online = $state(true);
	private stop: (() => void) | null = null;

	start(): void {
		if (this.stop) return;
		this.online = navigator.onLine;
		const on = () => (this.online = true);
		const off = () => (this.online = false);
		window.addEventListener('online', on);
		window.addEventListener('offline', off);
		this.stop = () => {
			window.removeEventListener('online', on);
			window.removeEventListener('offline', off);
		};
	}

	reset(): void {
		this.stop?.();
		this.stop = null;
		this.online = true;
	}
}

export const connectivity = new ConnectivityState();
