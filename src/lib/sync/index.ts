export { SyncClient, type SyncClientOptions, type SyncStatus } from './client';
export {
	MuxConnection,
	type ConnectionStatus,
	type MuxError,
	type MuxErrorCode,
	type MuxEvents,
	type MuxOptions,
	type MuxStats,
	type RealSocket,
	type RetryInfo,
	type WebSocketImpl
} from './mux-connection';
export { VirtualSocket, createMuxPolyfill, type MuxWebSocketClass } from './virtual-socket';
export {
	ClinicPresence,
	PRESENCE_SCREENS,
	PresenceError,
	presenceState,
	presenceUser,
	presenceView,
	type Peer,
	type Presence,
	type PresenceUser,
	type PresenceView
} from './presence';
export type { SyncProblem, SyncProblemCode } from './problems';
export { defaultBackoff, type BackoffPolicy } from './backoff';
export { AuthClient, AuthError, loginResponse, type LoginResponse } from './auth-client';
