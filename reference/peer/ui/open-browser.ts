/**
 * `--open`: hands the URL to the system's opener (xdg-open, open, start).
 * The URL (with its token) goes as one argument, never through a shell on
 * Linux and macOS. A missing opener is one line, not a failure: the URL was
 * printed anyway.
 */
import { spawn } from 'node:child_process';

export function openInBrowser(url: string, log: (line: string) => void): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', (error) => log(`could not open a browser (${command}: ${error.message}); open the link above yourself`));
    // xdg-open exits 3 ("no method available") without an error event: say so too.
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) log(`could not open a browser (${command} exited ${code}); open the link above yourself`);
    });
    child.unref();
  } catch (error) {
    log(`could not open a browser (${(error as Error).message}); open the link above yourself`);
  }
}
