/** The page: header with the error line, then me/peers/friends beside visit/files/preview. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { onStaleToken, tokenIsStale } from './bridge-client.ts';
import { useBrowser } from './browser-state.ts';
import { ErrorBoundary } from './error-boundary.tsx';
import { ErrorLine } from './error-line.tsx';
import { FilesSection } from './files-section.tsx';
import { FriendsSection } from './friends-section.tsx';
import { useLiveStatus } from './live-status.ts';
import { MeSection } from './me-section.tsx';
import { PeersSection } from './peers-section.tsx';
import { PreviewSection } from './preview-section.tsx';
import { NO_TOKEN, STALE_TOKEN } from './problem.ts';
import { useProblems } from './problems.ts';
import { bridgeToken } from './token.ts';
import { VisitSection } from './visit-section.tsx';
import { useVisit } from './visit-state.ts';

export function App() {
  if (bridgeToken() === null) {
    return (
      <>
        <header class="top">
          <h1>RemoteHouse</h1>
        </header>
        <ErrorLine problem={{ source: 'bridge', message: NO_TOKEN }} />
      </>
    );
  }
  return <Current />;
}

/**
 * The page while its token is good. Once the bridge refuses the token (the
 * peer restarted: a new run, a new link), me, friends, the visit and the
 * files are all from the old run: they are dropped (unmounting stops every
 * stream and request) and one line says what to do.
 */
function Current() {
  const [stale, setStale] = useState(tokenIsStale);
  useEffect(() => {
    if (tokenIsStale()) setStale(true);
    return onStaleToken(() => setStale(true));
  }, []);
  if (stale) {
    return (
      <>
        <header class="top">
          <h1>RemoteHouse</h1>
        </header>
        <ErrorLine problem={{ source: 'bridge', message: STALE_TOKEN }} />
      </>
    );
  }
  return <Page />;
}

function Page() {
  const { problem, report } = useProblems();
  const status = useLiveStatus(report);
  const browser = useBrowser(report);
  const { begin, leave } = browser;
  const visit = useVisit(useCallback((origin: string, email: string) => begin({ origin, email }), [begin]));
  const visitHeading = useRef<HTMLHeadingElement>(null);

  const startVisit = useCallback(
    (email: string) => {
      leave();
      visit.start(email);
      // Keyboard users land on the visit; on one column it is far below the button.
      const heading = visitHeading.current;
      if (heading) {
        heading.focus({ preventScroll: true });
        const top = heading.getBoundingClientRect().top;
        if (top < 0 || top > window.innerHeight * 0.6) heading.closest('section')?.scrollIntoView({ block: 'start' });
      }
    },
    [leave, visit.start],
  );

  const friendEmails = useMemo(() => (status.friends ? new Set(status.friends.map((f) => f.email.toLowerCase())) : null), [status.friends]);

  return (
    <>
      <header class="top">
        <h1>RemoteHouse</h1>
      </header>
      <ErrorLine problem={problem} />
      <main class="columns">
        <div class="column">
          <ErrorBoundary name="me">
            <MeSection me={status.me} />
          </ErrorBoundary>
          <ErrorBoundary name="online peers">
            <PeersSection report={report} friendEmails={friendEmails} onVisit={startVisit} onAddFriend={status.addFriend} />
          </ErrorBoundary>
          <ErrorBoundary name="friends">
            <FriendsSection
              friends={status.friends}
              note={status.friendsNote}
              report={report}
              onVisit={startVisit}
              onAdd={status.addFriend}
              onRemove={status.removeFriend}
              onCheck={status.checkFriend}
            />
          </ErrorBoundary>
        </div>
        <div class="column">
          <ErrorBoundary name="visit">
            <VisitSection state={visit.state} headingRef={visitHeading} onAgain={startVisit} onCancel={visit.cancel} />
          </ErrorBoundary>
          <ErrorBoundary name="files">
            <FilesSection browser={browser} onVisitAgain={startVisit} />
          </ErrorBoundary>
          <ErrorBoundary name="preview">
            <PreviewSection file={browser.preview} report={report} onOpenPath={browser.openPath} />
          </ErrorBoundary>
        </div>
      </main>
    </>
  );
}
