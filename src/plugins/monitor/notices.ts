import type { ProcessRow } from '../../adapters/system/system-port';
import type { Reading } from './rules';

/** A new container as the engine reports it now (pyTMBot showed N/A for ports and networks). */
export interface NewContainer {
  readonly name: string;
  readonly image: string;
  readonly status: string;
  readonly createdAt: number;
  readonly ports: readonly string[];
  readonly networks: readonly string[];
}

/** A new image with its real size in bytes (pyTMBot showed 0 B). */
export interface NewImage {
  readonly id: string;
  readonly tags: readonly string[];
  readonly sizeBytes: number;
  readonly createdAt: number;
  readonly os: string;
  readonly architecture: string;
}

/** Something the monitor tells the admin chats. Views render each; the budget may fold several into one. */
export type Notice =
  | {
      readonly kind: 'alert';
      readonly reading: Reading;
      /** Busiest processes for a CPU or memory alert, when the system port answered. */
      readonly top?: readonly ProcessRow[];
    }
  | {
      readonly kind: 'resolved';
      readonly reading: Reading;
      readonly durationMs: number;
      /** The sensor or filesystem is no longer reported at all. */
      readonly gone: boolean;
    }
  | { readonly kind: 'container-new'; readonly container: NewContainer }
  | {
      readonly kind: 'container-exited';
      readonly name: string;
      readonly image: string;
      readonly exitCode: number | undefined;
      readonly oomKilled: boolean;
    }
  | { readonly kind: 'container-unhealthy'; readonly name: string; readonly lastOutput: string }
  | { readonly kind: 'container-healthy'; readonly name: string }
  | { readonly kind: 'container-restarting'; readonly name: string; readonly status: string }
  | { readonly kind: 'image-new'; readonly image: NewImage };
