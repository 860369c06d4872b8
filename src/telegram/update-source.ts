/**
 * Where updates come from: our long-polling loop or the webhook server. Both
 * hand updates to the same Dispatcher and report the same liveness signal.
 */
export interface UpdateSource {
  readonly kind: 'polling' | 'webhook';
  /** When Telegram last proved it reaches us (a getUpdates answer, an accepted delivery); ms, 0 = never. */
  readonly lastSuccessAt: number;
  /** Runs until stop(); rejects with FatalTelegramError when retrying cannot help. */
  run(): Promise<void>;
  stop(): void;
}
