/**
 * The browser build's stand-in for `lib0/logging` (see `lib0LoggingForTheBrowser` in vite.config.ts).
 * Yjs imports lib0's logging for two console warnings; lib0's browser logging pulls in `lib0/dom` and
 * `lib0/schema` (~2.4 KB gzip of the JS that loads before the schedule paints) to style and render
 * log lines in a page. The same lines go to the console here, without the styling marks. Every name
 * Yjs takes from the module must be exported (`lib0-logging.test.ts` reads Yjs to check it); a name
 * missing here fails the build instead of failing at run time.
 */

export const BOLD = Symbol('bold');
export const UNBOLD = Symbol('unbold');
export const BLUE = Symbol('blue');
export const GREY = Symbol('grey');
export const GREEN = Symbol('green');
export const RED = Symbol('red');
export const PURPLE = Symbol('purple');
export const ORANGE = Symbol('orange');
export const UNCOLOR = Symbol('uncolor');

/** The arguments without lib0's styling marks. */
export const plain = (args: unknown[]): unknown[] => args.filter((a) => typeof a !== 'symbol');

export const print = (...args: unknown[]): void => console.log(...plain(args));
export const warn = (...args: unknown[]): void => console.warn(...plain(args));
export const printError = (err: unknown): void => console.error(err);
