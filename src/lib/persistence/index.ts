export { generateDataKey, recordAad, seal, unseal, type Sealed } from './crypto';
export { deleteDeviceKey, loadOrCreateDeviceKey } from './keys';
export {
	EncryptedDocStore,
	StoreFailure,
	deleteWorkspaceDatabase,
	type EncryptedDocStoreOptions,
	type StoreError,
	type StoreErrorKind
} from './store';
