// Keeps the repository README's headline table true: the report rewrites what stands between the
// two markers, and leaves every other byte of the README alone.

export const HEADLINE_START = '<!-- bench-headline:start (npm run bench:report writes this table) -->';
export const HEADLINE_END = '<!-- bench-headline:end -->';

/** The README with `table` between the markers; unchanged when the markers are missing. */
export function withHeadline(readme: string, table: string): string {
  const start = readme.indexOf(HEADLINE_START);
  const end = readme.indexOf(HEADLINE_END);
  if (start < 0 || end < start) return readme;
  return `${readme.slice(0, start + HEADLINE_START.length)}\n${table}${readme.slice(end)}`;
}
