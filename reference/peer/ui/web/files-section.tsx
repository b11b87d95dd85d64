/** The visited peer's folders and files: breadcrumbs, Up, Refresh, and the entries. */
import type { Browser } from './browser-state.ts';
import { formatBytes, formatDate } from './format.ts';
import { MAX_ENTRIES, type PeerEntry } from './peer-client.ts';

function byKindThenName(a: PeerEntry, b: PeerEntry): number {
  if (a.type !== b.type) return a.type === 'directory' ? -1 : 1;
  return a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

export function FilesSection({ browser }: { browser: Browser }) {
  const { place, path, listing, loading, preview } = browser;
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
  else if (entries.length === 0) summary = 'This folder is empty.';
  else summary = `${folders} ${folders === 1 ? 'folder' : 'folders'}, ${files} ${files === 1 ? 'file' : 'files'}${current.total > MAX_ENTRIES ? ` (first ${MAX_ENTRIES} of ${current.total} shown)` : ''}.`;

  return (
    <section id="files" class="card" aria-labelledby="files-title">
      <h2 id="files-title">Files</h2>
      <p class="note">
        Shared by <strong class="email">{place.email}</strong> at <span class="mono wrap-any">{place.origin}</span>
      </p>
      <nav aria-label="Folder path">
        <ol id="breadcrumbs" class="breadcrumbs">
          {['Top', ...path].map((name, i) => (
            <li key={`${i}-${name}`}>
              <button type="button" class="crumb" aria-current={i === path.length ? 'location' : undefined} onClick={() => browser.go(path.slice(0, i))}>
                {name}
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
      {entries.length > 0 ? (
        <ul class="entries" aria-busy={loading ? 'true' : undefined}>
          {entries.map((entry) => (
            <li key={`${entry.type}:${entry.name}`} data-name={entry.name} data-type={entry.type} class={`entry entry-${entry.type}${entry.name === openName && entry.type === 'file' ? ' entry-open' : ''}`}>
              <button type="button" class="entry-name" onClick={() => browser.open(entry)}>
                <span class="entry-icon" aria-hidden="true" />
                <span class="wrap-any">{entry.type === 'directory' ? `${entry.name}/` : entry.name}</span>
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
