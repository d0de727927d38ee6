// `npm run token -- --user <id> --role <role> …`: prints a relay token (see sync-server/token-cli.ts).
// The CLI is TypeScript shared with the relay, loaded through tsx (a devDependency), so it needs no build.
import { register } from 'tsx/esm/api';

register();
await import('../sync-server/token-cli.ts');
