// The proxy image, resolved once a minute rather than on every start: resolving is a handful of
// reads and two metadata writes (lease, GC label), each a database sync in containerd. Concurrent
// starts share one resolution; a failed one, or a start that failed, is forgotten at once.
import type { ProxyImage } from './image.js';

export class ImageCache {
  private readonly entries = new Map<string, { at: number; image: Promise<ProxyImage> }>();

  constructor(
    private readonly resolve: (ref: string) => Promise<ProxyImage>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(ref: string): Promise<ProxyImage> {
    const hit = this.entries.get(ref);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.image;
    const image = this.resolve(ref);
    this.entries.set(ref, { at: this.now(), image });
    image.catch(() => this.forget(ref));
    return image;
  }

  forget(ref: string): void {
    this.entries.delete(ref);
  }
}
