/**
 * The engine calls a safe image update needs, next to {@link DockerPort}: pull with
 * progress, re-create with the same configuration, rename, re-tag and force-remove.
 * One real implementation (`ContainerUpdateOps` over the Engine API). Failures reject
 * with `DockerError` (`pull_failed`, `pull_denied`, `refused`, `container_gone`, `image_gone`) or
 * `DockerUnavailableError`; the wording is the views'.
 */
export interface ContainerUpdatePort {
  /**
   * Pulls the tag `ref` ("127.0.0.1:5000/app:1") with the credentials configured for its
   * registry, if any; `onProgress` sees every status line.
   * Resolves with the id of the image the tag names afterwards.
   */
  pullImage(host: number, ref: string, onProgress: (p: PullProgress) => void): Promise<string>;
  /**
   * Creates (does not start) a container named `name` from `image` with the configuration
   * of `sourceId` (env, mounts, networks, ports, labels, restart policy, resources, health
   * check…); returns its id.
   */
  cloneContainer(
    host: number,
    sourceId: string,
    target: { readonly name: string; readonly image: string },
  ): Promise<string>;
  renameContainer(host: number, id: string, name: string): Promise<void>;
  /** Stops (if needed) and removes a container; its volumes are kept. Gone already is fine. */
  removeContainer(host: number, id: string): Promise<void>;
  /** Points the tag `ref` at the local image `imageId` (a rollback). */
  tagImage(host: number, imageId: string, ref: string): Promise<void>;
  /** The id of the local image `ref` names; undefined when there is none. */
  imageIdOf(host: number, ref: string): Promise<string | undefined>;
}

/** Where a pull is, from the engine's progress stream. */
export interface PullProgress {
  /** Layers the engine announced. */
  readonly layers: number;
  /** Layers present (downloaded and extracted, or there already). */
  readonly done: number;
  /** Bytes downloaded so far over the layers that report sizes. */
  readonly bytes: number;
  /** The engine's last overall status ("Digest: sha256:…", "Status: Downloaded newer image…"). */
  readonly status: string;
}
