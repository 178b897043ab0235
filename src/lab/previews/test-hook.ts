/**
 * The e2e test hook `window.__axopyPreviews`: every open preview's state by task path (data,
 * not pixels). Made only when the page config's `axopyTestHooks` is "true", which the e2e
 * server sets (ui-tests/jupyter_server_test_config.py): absent in production.
 */

/** The page config option that turns the hook on. */
export const TEST_HOOKS_OPTION = 'axopyTestHooks';

/** The published states by task path, or undefined when the page config does not ask for them. */
export function testHookPreviews<State>(
  pageConfigValue: string,
  scope: object = globalThis
): Record<string, State> | undefined {
  if (pageConfigValue !== 'true') return undefined;
  const holder = scope as { __axopyPreviews?: Record<string, State> };
  holder.__axopyPreviews ??= {};
  return holder.__axopyPreviews;
}
