/** A point to draw: time in ms, value. */
export type XY = readonly [number, number];

/**
 * Min/max downsampling over equal time buckets: each bucket contributes its
 * lowest and highest point, in time order, so every spike and dip survives
 * (a plain average or every-Nth pick would flatten them). Output has at most
 * `2 × buckets` points; input shorter than that is returned as is.
 */
export function minMaxDownsample(points: readonly XY[], buckets: number): XY[] {
  if (points.length <= 2 * buckets || buckets < 1) return [...points];
  const first = points[0] as XY;
  const last = points[points.length - 1] as XY;
  const span = Math.max(1, last[0] - first[0]);
  const out: XY[] = [];
  let bucket = -1;
  let lo: XY | undefined;
  let hi: XY | undefined;
  const flush = (): void => {
    if (lo === undefined || hi === undefined) return;
    if (lo === hi) out.push(lo);
    else if (lo[0] <= hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor(((p[0] - first[0]) / span) * buckets));
    if (b !== bucket) {
      flush();
      bucket = b;
      lo = p;
      hi = p;
      continue;
    }
    if (lo === undefined || p[1] < lo[1]) lo = p;
    if (hi === undefined || p[1] > hi[1]) hi = p;
  }
  flush();
  return out;
}
