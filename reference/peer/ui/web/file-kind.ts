/** How a file is previewed, from its name alone (a peer's word on types is not trusted). */

export type PreviewKind = 'text' | 'markdown' | 'image' | 'audio' | 'video' | 'download';

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  ico: 'image/x-icon',
  avif: 'image/avif',
  // Shown only through <img> (scripts in an SVG image never run).
  svg: 'image/svg+xml',
};

const AUDIO = new Set(['mp3', 'ogg', 'oga', 'wav', 'flac', 'm4a', 'opus', 'aac']);
const VIDEO = new Set(['mp4', 'webm', 'ogv', 'mov', 'm4v']);
const MARKDOWN = new Set(['md', 'markdown', 'mdown', 'mkd']);

const TEXT = new Set(
  (
    'txt text log csv tsv json jsonl ndjson xml html htm xhtml css scss sass less js mjs cjs ts mts cts tsx jsx vue svelte ' +
    'py rb go rs java kt kts scala c h cc cpp cxx hpp hh cs swift m mm php pl pm lua r jl dart ex exs erl hs ml fs clj ' +
    'sh bash zsh fish ps1 bat cmd yml yaml toml ini cfg conf properties env sql graphql proto gradle cmake mk make ' +
    'diff patch rst adoc tex bib srt vtt gitignore gitattributes editorconfig dockerignore lock pem crt csr pub asc sig'
  ).split(' '),
);

/** Files people name without an extension that are text. */
const TEXT_NAMES = new Set(['gitignore', 'gitattributes', 'editorconfig', 'npmrc', 'env', 'readme', 'license', 'licence', 'copying', 'notice', 'authors', 'contributors', 'changelog', 'changes', 'todo', 'makefile', 'dockerfile', 'containerfile', 'procfile', 'gemfile', 'rakefile', 'vagrantfile', 'jenkinsfile']);

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 || dot === name.length - 1 ? '' : name.slice(dot + 1).toLowerCase();
}

export function previewKind(name: string): PreviewKind {
  const ext = extensionOf(name);
  if (MARKDOWN.has(ext)) return 'markdown';
  if (ext in IMAGE_TYPES) return 'image';
  if (AUDIO.has(ext)) return 'audio';
  if (VIDEO.has(ext)) return 'video';
  if (TEXT.has(ext)) return 'text';
  if (ext === '' && TEXT_NAMES.has(name.toLowerCase().replace(/^\./, ''))) return 'text';
  return 'download';
}

export function imageType(name: string): string {
  return IMAGE_TYPES[extensionOf(name)] ?? 'application/octet-stream';
}

/** Text and Markdown bigger than this are offered as a download instead. */
export const MAX_TEXT_PREVIEW_BYTES = 4 * 1024 * 1024;
/** Images bigger than this are offered as a download instead. */
export const MAX_IMAGE_PREVIEW_BYTES = 64 * 1024 * 1024;
/** SVG pictures are shown from a data: URL (a third bigger than the file): kept smaller. */
export const MAX_SVG_PREVIEW_BYTES = 8 * 1024 * 1024;

export function isSvg(name: string): boolean {
  return extensionOf(name) === 'svg';
}
