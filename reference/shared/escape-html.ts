/**
 * The one HTML escaping helper (issue 13): every report, chart and page
 * that writes text into HTML or SVG, as element content or a quoted
 * attribute value, escapes it here. `null` and `undefined` are empty.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}
