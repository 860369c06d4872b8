/** telegraf types the signal with the abort-controller shim; node-fetch accepts the built-in one. */
export function asTelegrafSignal(signal: AbortSignal): import('abort-controller').AbortSignal {
  return signal as unknown as import('abort-controller').AbortSignal;
}
