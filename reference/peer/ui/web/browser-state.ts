/**
 * Browsing one peer's files: where we are (origin + folder), its listing,
 * and the file open in the preview. A folder is path segments, never a
 * joined string, so a name may hold any character.
 *
 * After moving to a folder its `index.md` (any case) opens by itself; a
 * Markdown link may instead ask for one named entry of the new folder.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { listFolder, type Listing, type PeerAt, type PeerEntry } from './peer-client.ts';
import { oneLine, Problem } from './problem.ts';
import type { Report } from './problems.ts';

export interface Place extends PeerAt {
  origin: string;
  /** Whose files these are (the email the visit found answering there). */
  email: string;
}

export interface OpenFile {
  id: number;
  origin: string;
  /** Whose file (for attributing what their peer answers). */
  email: string;
  folder: string[];
  entry: PeerEntry;
  /** Opened by the person (not an index.md opening by itself): the preview takes the focus. */
  chosen: boolean;
}

export interface FolderListing extends Listing {
  path: string[];
}

export interface Browser {
  place: Place | null;
  path: string[];
  listing: FolderListing | null;
  loading: boolean;
  /** Why the folder could not be listed, one line, or null. */
  listingError: string | null;
  preview: OpenFile | null;
  begin(place: Place): void;
  leave(): void;
  go(path: string[]): void;
  refresh(): void;
  open(entry: PeerEntry): void;
  /** From a link: a folder, or a file to open after listing its folder. */
  openPath(segments: string[], isFolder: boolean): void;
}

type Intent = { kind: 'navigate'; open?: string } | { kind: 'refresh' };

const LISTING_FAILED = 'this folder could not be listed: press Refresh, or Visit again';

export function isIndexFile(entry: PeerEntry): boolean {
  return entry.type === 'file' && entry.name.toLowerCase() === 'index.md';
}

export function useBrowser(report: Report): Browser {
  const [place, setPlace] = useState<Place | null>(null);
  const [path, setPath] = useState<string[]>([]);
  const [nonce, setNonce] = useState(0);
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [loading, setLoading] = useState(false);
  const [listingError, setListingError] = useState<string | null>(null);
  const [preview, setPreview] = useState<OpenFile | null>(null);
  const intent = useRef<Intent>({ kind: 'navigate' });
  const previews = useRef(0);

  const showing = useRef<OpenFile | null>(null);
  showing.current = preview;

  const show = useCallback(
    (at: PeerAt, folder: string[], entry: PeerEntry | undefined, chosen: boolean) => {
      setPreview(entry ? { id: ++previews.current, origin: at.origin, email: at.email, folder, entry, chosen } : null);
      report('preview', null);
    },
    [report],
  );

  const go = useCallback((next: string[]) => {
    intent.current = { kind: 'navigate' };
    setPath([...next]);
  }, []);

  useEffect(() => {
    if (!place) return;
    const controller = new AbortController();
    setLoading(true);
    setListingError(null);
    listFolder(place, path, controller.signal).then(
      (result) => {
        setLoading(false);
        setListing({ ...result, path });
        report('files', null);
        const wanted = intent.current;
        intent.current = { kind: 'refresh' };
        // A refresh keeps the open file; with none open it acts as arriving here.
        if (wanted.kind !== 'navigate' && showing.current) return;
        const open = wanted.kind === 'navigate' ? wanted.open : undefined;
        const named = open === undefined ? undefined : result.entries.find((e) => e.name === open);
        if (open !== undefined && !named) report('files', `there is no ${oneLine(open, 120)} in this folder: the link may be out of date`);
        if (named?.type === 'directory') return go([...path, named.name]);
        show(place, path, named ?? result.entries.find(isIndexFile), named !== undefined);
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setLoading(false);
        setListing(null);
        setListingError(error instanceof Problem ? error.message : LISTING_FAILED);
        report('files', error);
      },
    );
    return () => controller.abort();
  }, [place, path, nonce, report, go, show]);

  const begin = useCallback((next: Place) => {
    intent.current = { kind: 'navigate' };
    setPlace(next);
    setPath([]);
    setListing(null);
    setListingError(null);
    setPreview(null);
    report('files', null);
    report('preview', null);
  }, [report]);

  const leave = useCallback(() => {
    setPlace(null);
    setPath([]);
    setListing(null);
    setListingError(null);
    setLoading(false);
    setPreview(null);
    report('files', null);
    report('preview', null);
  }, [report]);

  const refresh = useCallback(() => {
    intent.current = { kind: 'refresh' };
    setNonce((n) => n + 1);
  }, []);

  const open = useCallback(
    (entry: PeerEntry) => {
      if (!place || !listing) return;
      if (entry.type === 'directory') go([...listing.path, entry.name]);
      else show(place, listing.path, entry, true);
    },
    [place, listing, go, show],
  );

  const openPath = useCallback(
    (segments: string[], isFolder: boolean) => {
      if (isFolder || segments.length === 0) return go(segments);
      const name = segments[segments.length - 1] as string;
      intent.current = { kind: 'navigate', open: name };
      setPath(segments.slice(0, -1));
    },
    [go],
  );

  return { place, path, listing, loading, listingError, preview, begin, leave, go, refresh, open, openPath };
}
