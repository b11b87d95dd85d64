/**
 * What README.md points at must exist: relative links and images (with their
 * #anchors into Markdown files), and inline code that reads as a path under
 * one of the checkout's top-level entries (`reference/peer/api/`). Paths the
 * commands write (`.relaylab/…`, a scenario's report folder) are runtime
 * output: write those with a placeholder (`reports/<scenario>/`), which is
 * not checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNTIME = new Set(['node_modules', '.git', 'dist', '.relaylab', '.scratch']);
const PATH_LIKE = /^[\w.-]+\/[\w./-]*$/;

export function missingReferences(
  markdown: string,
  refs: { links: string[]; codeSpans: string[] },
  headingAnchors: (markdown: string) => Set<string>,
  root: string,
): string[] {
  const missing: string[] = [];
  const top = new Set(readdirSync(root).filter((name) => !RUNTIME.has(name)));
  for (const href of refs.links) {
    if (/^[a-z][a-z+.-]*:/i.test(href)) continue;
    const [rawPath = '', anchor] = href.split('#');
    const path = decodeURIComponent(rawPath);
    if (path && !existsSync(join(root, path))) {
      missing.push(`link ${href}: no such file`);
      continue;
    }
    if (anchor && (path === '' || path.endsWith('.md'))) {
      const target = path === '' ? markdown : readFileSync(join(root, path), 'utf8');
      if (!headingAnchors(target).has(anchor)) missing.push(`link ${href}: no heading #${anchor}`);
    }
  }
  for (const span of refs.codeSpans) {
    if (!PATH_LIKE.test(span) || !top.has(span.split('/')[0]!)) continue;
    if (!existsSync(join(root, span))) missing.push(`\`${span}\`: no such path in the checkout`);
  }
  return missing;
}
