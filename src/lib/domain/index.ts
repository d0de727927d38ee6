export * from './common/primitives';
export * from './workspace/schemas';
export * from './patients/schemas';
export * from './schedule/schemas';
export * from './common/time';
export * from './schedule/availability-schemas';
export * from './schedule/availability';
export * from './schedule/next-slot';
