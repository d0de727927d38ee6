export {
	CLINIC_CLOSE_MINUTE,
	CLINIC_OPEN_MINUTE,
	DEMO_PRESETS,
	demoNow,
	generateDemoClinic,
	type DemoClinic,
	type DemoOptions
} from './generate';
export { withDenseDay } from './dense';
