/** The HTML around a chart: its caption, and the one-line note that stands in for a chart with nothing to draw. */
import { escapeHtml } from '../../../reference/shared/escape-html.ts';

export function figure(title: string, body: string, className = 'chart-figure'): string {
  return `<figure class="${className}"><figcaption>${escapeHtml(title)}</figcaption>${body}</figure>`;
}

/** Honest numbers: an empty series is said in words, never drawn as a 0. */
export function emptyFigure(title: string, note: string): string {
  return figure(title, `<p class="empty">${escapeHtml(note)}</p>`);
}
