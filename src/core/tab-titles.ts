/**
 * Tab titles of task previews: "subject/task", and where two open tasks share that, enough of
 * their paths (the root's folders) to tell them apart.
 */

/**
 * A title per path: its last `least` components, lengthened by one more leading component at a
 * time while it is the same as another path's title. Two equal paths keep equal titles.
 */
export function distinctTitles(paths: readonly string[], least = 2): string[] {
  const parts = paths.map(path => path.split('/').filter(part => part !== ''));
  const lengths = parts.map(p => Math.min(least, p.length));
  const title = (i: number): string => parts[i].slice(parts[i].length - lengths[i]).join('/');
  for (;;) {
    const byTitle = new Map<string, number[]>();
    parts.forEach((_, i) => byTitle.set(title(i), [...(byTitle.get(title(i)) ?? []), i]));
    let lengthened = false;
    for (const group of byTitle.values()) {
      if (group.length < 2 || group.every(i => paths[i] === paths[group[0]])) continue;
      for (const i of group) {
        if (lengths[i] < parts[i].length) {
          lengths[i]++;
          lengthened = true;
        }
      }
    }
    if (!lengthened) return parts.map((_, i) => title(i) || '/');
  }
}
