/**
 * Writes lines to stdout until its reader goes away: `relaylab simulate ... | head`
 * (or sweep) closes the pipe after a few lines, and the EPIPE that follows must
 * not crash the run (it still writes its files, and exits as usual).
 */
export function stdoutLines(): (line: string) => void {
  let readerGone = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    readerGone = true;
  });
  return (line) => {
    if (!readerGone) process.stdout.write(`${line}\n`);
  };
}
