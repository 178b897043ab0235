/**
 * JupyterLab theme colours for what draws on a canvas (the grid, the plots), which cannot use
 * CSS variables directly, and a watch for theme changes.
 */

/** The value of a JupyterLab CSS variable on the body, else `fallback`. */
export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** Calls `onChange` whenever the theme changes (JupyterLab marks the body); returns the stop. */
export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light'] });
  return () => observer.disconnect();
}
