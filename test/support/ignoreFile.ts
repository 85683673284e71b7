/**
 * A `.funcignore` as azd reads it (gitignore rules, relative to the folder it zips): comments, blank
 * lines, `!` negation, a leading `/` anchoring to the folder, a trailing `/` for folders only, `*`,
 * `?` and `**`. The last matching rule wins.
 */
export function ignoreMatcher(text: string): (relativePath: string, isDirectory: boolean) => boolean {
  const rules = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+$/, ''))
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      let pattern = negate ? line.slice(1) : line;
      const directoryOnly = pattern.endsWith('/');
      if (directoryOnly) pattern = pattern.slice(0, -1);
      const anchored = pattern.startsWith('/') || pattern.slice(0, -1).includes('/');
      pattern = pattern.replace(/^\//, '');
      const body = pattern
        .split('/')
        .map((part) => (part === '**' ? '(?:.*)' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      const re = new RegExp(anchored ? `^${body}$` : `(?:^|/)${body}$`);
      return { negate, directoryOnly, re };
    });
  return (relativePath, isDirectory) => {
    let ignored = false;
    for (const rule of rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.re.test(relativePath)) ignored = !rule.negate;
    }
    return ignored;
  };
}
