export * from './common/primitives';
export * from './workspace/schemas';
export * from './patients/schemas';
export * from './schedule/schemas';
export * from './common/time';
