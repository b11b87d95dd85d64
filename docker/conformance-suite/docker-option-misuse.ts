/**
 * `docker run IMAGE conformance ... -v "$PWD:/data"` hands `-v` to relaylab,
 * not to docker: the mount never happens and the suite fails later on a
 * missing --ca file. Inside the suite image, where relaylab has no `-v` or
 * `--volume` flag, a HOST:CONTAINER value after one of them can only be a
 * misplaced docker option, so it is named at once.
 */

/** HOST:CONTAINER[:OPTIONS] with an absolute container path, as `docker run -v` takes it. */
const VOLUME_SPEC = /^[^:]+:\/[^:]*(:[A-Za-z,]+)?$/;

/** The one-line complaint for a misplaced `-v`/`--volume`, or null when argv has none. */
export function dockerOptionMisuse(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') return null;
    const spec = volumeSpecAt(token, argv[i + 1]);
    if (spec === null) continue;
    const flag = token.startsWith('--') ? '--volume' : '-v';
    return `${flag} ${spec} is a docker option: put it before the image name (docker run --rm ${flag} "${spec}" IMAGE conformance ...)`;
  }
  return null;
}

function volumeSpecAt(token: string, next: string | undefined): string | null {
  const joined = /^(?:-v|--volume)=(.+)$/.exec(token)?.[1];
  const value = joined ?? (token === '-v' || token === '--volume' ? next : undefined);
  return value !== undefined && VOLUME_SPEC.test(value) ? value : null;
}
