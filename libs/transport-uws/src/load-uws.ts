import uWS from 'uWebSockets.js';

export type Uws = typeof uWS;
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket, WebSocket } from 'uWebSockets.js';

export class UwsFallbackError extends Error {
  constructor() {
    super(
      'uWebSockets.js did not load its native binary and fell back to a slow pure-JS imitation ' +
        `(Node ${process.versions.node}, ABI ${process.versions.modules}, ${process.platform}-${process.arch}). ` +
        'Run a Node version the binary supports (16, 18 or 20), or pass --allow-js-fallback / ' +
        'TIDINGS_ALLOW_JS_FALLBACK=1 to run slowly anyway.',
    );
    this.name = 'UwsFallbackError';
  }
}

/** True when the loaded module is the native addon rather than the package's JS imitation. */
export function isNativeUws(module: Uws = uWS): boolean {
  return /\[native code\]/.test(Function.prototype.toString.call(module.App));
}

/** The uWS module, refusing the silent pure-JS fallback unless explicitly allowed. */
export function loadUws(allowJsFallback: boolean): Uws {
  if (!isNativeUws() && !allowJsFallback) throw new UwsFallbackError();
  return uWS;
}
