/**
 * Layout maths of the time-grid calendar (day and week views), kept free of Svelte and the DOM so
 * it can be tested; one module per concern, gathered here for the views:
 *
 * - `grid-time`: wall-clock minutes, slot rows, visible hours, labels;
 * - `grid-layout`: lanes, block and column models, and keeping them stable across renders;
 * - `grid-hours`: working-hours shading and a provider's day off;
 * - `grid-marks`: conflict words and colleagues' presence on blocks;
 * - `grid-moves`: pending moves and resizes, by pointer and keyboard, and their plans.
 */
export * from './grid-time';
export * from './grid-layout';
export * from './grid-hours';
export * from './grid-marks';
export * from './grid-moves';
