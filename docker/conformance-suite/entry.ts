/**
 * The suite image's entry point (bundled to /app/suite-entry.mjs by
 * build-image.ts): a docker option misplaced after the image name is one
 * line and exit 2; everything else goes to the installed relaylab CLI.
 */
import { EXIT } from '../../cli/usage-error.ts';
import { dockerOptionMisuse } from './docker-option-misuse.ts';

const misuse = dockerOptionMisuse(process.argv.slice(2));
if (misuse !== null) {
  process.stderr.write(`relaylab: ${misuse}\n`);
  process.exit(EXIT.usage);
}
// Beside this file in the image: the package as npm installed it (compiled JavaScript, production dependencies).
await import(new URL('./node_modules/relaylab/bin/relaylab.mjs', import.meta.url).href);
