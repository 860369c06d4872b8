import { TtlCache } from '../../adapters/system/ttl-cache';
import type { Clock } from '../../clock';
import { imageForViewer } from '../../security/redact-container';
import type { DockerPort, ImageDetails, ImageSummary } from '../../adapters/docker/port';
import { DockerError } from '../../errors';
import type { Router } from '../../telegram/router';
import type { Req } from '../../telegram/request';
import { DOCKER } from '../../views/docker-actions';
import {
  imageDetailsView,
  imageHistoryView,
  imageListView,
  imagePlatform,
  imagesOnPage,
  imageUsedByView,
  updatesView,
} from '../../views/docker-images';
import { DOCKER_MENU } from '../../views/docker-menu';
import { UPDATES_TOAST } from '../../views/docker-images';
import type { DockerScreens } from './screens';

/**
 * pyTMBot kept the image list 30 s. Pages and "All images" reuse it (so paging is quick and
 * stable); opening the list, the Docker menu's button and Refresh read the engine afresh.
 */
const IMAGE_LIST_TTL_MS = 30_000;

/** OS/arch of the images on a page (the list API does not carry them); a failed inspect is left out. */
async function platformsOf(
  docker: DockerPort,
  host: number,
  shown: readonly ImageSummary[],
): Promise<Map<string, string>> {
  const found = await Promise.all(
    shown.map(async (i) => {
      const details = await docker.inspectImage(host, i.id).catch(() => undefined);
      return [i.id, details === undefined ? '' : imagePlatform(details)] as const;
    }),
  );
  return new Map(found.filter(([, p]) => p !== ''));
}

async function imageOrFail(docker: DockerPort, host: number, id: string): Promise<ImageDetails> {
  const image = await docker.inspectImage(host, id);
  if (image === undefined) throw new DockerError('image_gone');
  return image;
}

/** The host's image list, from the last 30 s unless `fresh` (which keeps its read for the pages). */
function keptImageLists(
  docker: DockerPort,
  clock: Clock,
): (host: number, fresh: boolean) => Promise<ImageSummary[]> {
  const kept = new TtlCache(clock);
  return (host, fresh) =>
    kept.get(`images:${host}`, fresh ? 0 : IMAGE_LIST_TTL_MS, () => docker.listImages(host));
}

/** The image list, details, history, "used by" and registry update checks. */
export function installImages(router: Router, s: DockerScreens): void {
  const { docker, clock } = s.deps;
  const imagesOf = keptImageLists(docker, clock);

  const list = (req: Req, host: number, page: number, fresh: boolean): Promise<void> =>
    s.render(req, DOCKER.images.call({ host, page }), async () => {
      const images = await imagesOf(host, fresh);
      return imageListView({
        ...s.ctx(host),
        images,
        page,
        now: clock.now(),
        platforms: await platformsOf(docker, host, imagesOnPage(images, page)),
      });
    });

  const firstPage = (req: Req): Promise<void> => list(req, s.selected(req), 0, true);
  router.command('images', firstPage, 'Docker images');
  router.button(DOCKER_MENU.images, firstPage);
  router.on(DOCKER.images, (req, args) => list(req, s.hostOf(args.host), args.page, false));
  router.on(DOCKER.imagesFresh, (req, args) => list(req, s.hostOf(args.host), args.page, true));

  router.on(DOCKER.image, async (req, args) => {
    const host = s.hostOf(args.host);
    await s.render(req, DOCKER.image.call(args), async () => {
      // Inspect has no shared size; the list (asked with shared-size) has.
      const [image, all] = await Promise.all([
        imageOrFail(docker, host, args.id),
        docker.listImages(host).catch(() => []),
      ]);
      const sharedSize = all.find((i) => i.id === image.id)?.sharedSize;
      return imageDetailsView({
        ...s.ctx(host),
        image: imageForViewer({ ...image, sharedSize }, req.isAdmin),
        page: args.page,
        now: clock.now(),
      });
    });
  });

  router.on(DOCKER.history, async (req, args) => {
    const host = s.hostOf(args.host);
    await s.render(req, DOCKER.history.call(args), async () => {
      const [image, layers] = await Promise.all([
        imageOrFail(docker, host, args.id),
        docker.imageHistory(host, args.id),
      ]);
      return imageHistoryView({ ...s.ctx(host), image, layers, page: args.page, now: clock.now() });
    });
  });

  router.on(DOCKER.usedBy, async (req, args) => {
    const host = s.hostOf(args.host);
    await s.render(req, DOCKER.usedBy.call(args), async () => {
      const [image, containers] = await Promise.all([
        imageOrFail(docker, host, args.id),
        docker.listContainers(host),
      ]);
      return imageUsedByView({ ...s.ctx(host), image, containers, page: args.page });
    });
  });

  router.on(DOCKER.updates, async (req, args) => {
    const host = s.hostOf(args.host);
    const { scope, page } = args;
    await s.render(
      req,
      DOCKER.updates.call(args),
      async () => {
        const all = await docker.listImages(host);
        const chosen = scope === 'all' ? all : all.filter((i) => i.id === scope);
        if (scope !== 'all' && chosen.length === 0) throw new DockerError('image_gone');
        const results = await s.deps.updates.check(chosen);
        return updatesView({ ...s.ctx(host), results, scope, page, now: clock.now() });
      },
      UPDATES_TOAST,
    );
  });
}
