/**
 * Apollo Client 4 prints its cache warnings only in development mode: with the "development"
 * export condition, or with `globalThis.__DEV__ === true` when it loads (Node resolves the default
 * condition). Imported before @apollo/client, this turns them on.
 */
declare global {
  var __DEV__: boolean | undefined;
}

globalThis.__DEV__ = true;

export {};
