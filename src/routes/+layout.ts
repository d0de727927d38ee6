// Every screen renders in the browser from local, encrypted data: there is nothing to render on a
// server, and the relay only ever serves the same static shell.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';
