/** If a part of the page fails to draw, say so in one line instead of going blank. */
import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';

export function ErrorBoundary({ name, children }: { name: string; children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary((e: unknown) => console.error(e));
  if (error) {
    return (
      <p class="error-line" role="alert">
        The {name} part of this page failed to draw: <button type="button" onClick={reset}>Try again</button> or reload the page.
      </p>
    );
  }
  return <>{children}</>;
}
