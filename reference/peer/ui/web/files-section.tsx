/** The visited peer's folders and files: breadcrumbs, Up, Refresh, and the entries. */
import type { Browser } from './browser-state.ts';
import { formatBytes, formatDate } from './format.ts';
import { lineClass, MessageText } from './message-text.tsx';
import { MAX_ENTRIES, type PeerEntry } from './peer-client.ts';
import { PeerText } from './peer-text.tsx';

function byKindThenName(a: PeerEntry, b: PeerEntry): number {
  if (a.type !== b.type) return a.type === 'directory' ? -1 : 1;
  return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

function skippedWords(n: number): string {
  return `${n} ${n === 1 ? 'entry' : 'entries'} the peer listed could not be used (no usable name or type)`;
}

export function FilesSection({ browser, onVisitAgain }: { browser: Browser; onVisitAgain(email: string): void }) {
  const { place, path, listing, loading, listingError, preview } = browser;
  if (!place) {
    return (
      <section id="files" class="card" aria-labelledby="files-title">
        <h2 id="files-title">Files</h2>
        <p class="note">A peer’s folders and files appear here once a visit connects.</p>
      </section>
    );
  }
  const current = listing && samePath(listing.path, path) ? listing : null;
  const entries = current ? [...current.entries].sort(byKindThenName) : [];
  const folders = entries.filter((e) => e.type === 'directory').length;
  const files = entries.length - folders;
  const openName = preview && samePath(preview.folder, path) ? preview.entry.name : null;
  let summary: string;
  if (loading) summary = 'Loading…';
  else if (!current) summary = 'This folder could not be listed.';
  else if (entries.length === 0) summary = current.skipped > 0 ? `Nothing to show: ${skippedWords(current.skipped)}.` : 'This folder is empty.';
  else summary = `${folders} ${folders === 1 ? 'folder' : 'folders'}, ${files} ${files === 1 ? 'file' : 'files'}${current.total > MAX_ENTRIES ? ` (first ${MAX_ENTRIES} of ${current.total} shown)` : ''}${current.skipped > 0 ? `; ${skippedWords(current.skipped)}` : ''}.`;

  return (
    <section id="files" class="card" aria-labelledby="files-title">
      <h2 id="files-title">Files</h2>
      <p class="note">
        Shared by <strong class="email">
          <PeerText text={place.email} />
        </strong> at <PeerText class="mono wrap-any" text={place.origin} />
      </p>
      <nav aria-label="Folder path">
        <ol id="breadcrumbs" class="breadcrumbs">
          {['Top', ...path].map((name, i) => (
            <li key={`${i}-${name}`}>
              <button type="button" class="crumb" aria-current={i === path.length ? 'location' : undefined} onClick={() => browser.go(path.slice(0, i))}>
                {i === 0 ? name : <PeerText text={name} />}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <div class="toolbar">
        <button type="button" id="up" disabled={path.length === 0} onClick={() => browser.go(path.slice(0, -1))}>
          Up
        </button>
        <button type="button" id="refresh" onClick={browser.refresh}>
          Refresh
        </button>
        <span class="note" aria-live="polite">
          {summary}
        </span>
      </div>
      {!loading && !current && listingError ? (
        <div id="files-error" class="files-error" role="alert">
          <p class={lineClass('error-line', listingError)}>
            <MessageText text={listingError} />
          </p>
          <div class="toolbar">
            <button type="button" id="files-refresh" onClick={browser.refresh}>
              Refresh
            </button>
            <button type="button" id="files-visit-again" onClick={() => onVisitAgain(place.email)}>
              Visit again
            </button>
          </div>
        </div>
      ) : null}
      {entries.length > 0 ? (
        <ul class="entries" aria-busy={loading ? 'true' : undefined}>
          {entries.map((entry) => (
            <li key={`${entry.type}:${entry.name}`} data-name={entry.name} data-type={entry.type} class={`entry entry-${entry.type}${entry.name === openName && entry.type === 'file' ? ' entry-open' : ''}`}>
              <button type="button" class="entry-name" onClick={() => browser.open(entry)}>
                <span class="entry-icon" aria-hidden="true" />
                <span class="wrap-any">
                  <PeerText text={entry.name} />
                  {entry.type === 'directory' ? '/' : ''}
                </span>
              </button>
              <span class="entry-size">{entry.type === 'directory' ? 'folder' : formatBytes(entry.size)}</span>
              <span class="entry-date">{entry.mtime ? formatDate(entry.mtime) : '—'}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
