/**
 * The "End to end" section of docs/benchmarks.md lives between two markers:
 * `npm run bench:e2e` rewrites what is between them, and `npm run bench`,
 * which regenerates the rest of the file, carries it over.
 */

export const SECTION_START = '<!-- e2e:start -->';
export const SECTION_END = '<!-- e2e:end -->';

/** The section between the markers (markers included), or undefined. */
export function extractSection(doc: string): string | undefined {
  const start = doc.indexOf(SECTION_START);
  if (start < 0) return undefined;
  const end = doc.indexOf(SECTION_END, start);
  if (end < 0) return undefined;
  return doc.slice(start, end + SECTION_END.length);
}

/** `doc` with its section replaced by `section`, or with `section` appended when it has none. */
export function spliceSection(doc: string, section: string): string {
  const old = extractSection(doc);
  if (old !== undefined) return doc.replace(old, () => section);
  return `${doc.trimEnd()}\n\n${section}\n`;
}
