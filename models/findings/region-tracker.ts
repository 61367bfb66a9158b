/**
 * The ultrasound region of the images an engine sees, kept per image size: found once (on a
 * clip's mean image, or on the first frame of a new display geometry) and reused, because
 * findImageRegion costs more than the rest of a frame's preprocessing and must not flicker.
 *
 * @example
 *   const regions = new RegionTracker();
 *   regions.setFrom(meanImage(firstFrames)); // a clip: stable region from ~30 frames
 *   const region = regions.ensure(frame);    // live: recomputed only when the size changes
 */
import { findImageRegion, inputTransform, type GrayImage, type ImageRegion, type InputTransform } from './preprocess.js';

export class RegionTracker {
  private region: ImageRegion | null = null;
  private transformCache: InputTransform | null = null;
  /** Frames since the last failed search (no image): a probe in the air is not searched every frame. */
  private sinceFailure = Infinity;
  private failedSize = '';

  get current(): ImageRegion | null {
    return this.region;
  }

  get transform(): InputTransform | null {
    return this.transformCache;
  }

  /** Sets the region from an image (a clip's mean image); throws NoImageRegionError when there is none. */
  setFrom(img: GrayImage): ImageRegion {
    this.region = findImageRegion(img);
    this.transformCache = inputTransform(this.region);
    this.sinceFailure = Infinity;
    return this.region;
  }

  /**
   * The region for this frame: the kept one when the size matches, else found on this frame.
   * Returns null (no image) without searching again for `retryEvery` frames after a failure.
   */
  ensure(img: GrayImage, retryEvery = 5): ImageRegion | null {
    if (this.region && this.region.width === img.width && this.region.height === img.height) return this.region;
    if (this.sinceFailure < retryEvery && this.failedSize === `${img.width}x${img.height}`) {
      this.sinceFailure++;
      return null;
    }
    try {
      return this.setFrom(img);
    } catch (err) {
      if ((err as Error).name !== 'NoImageRegionError') throw err;
      this.region = null;
      this.transformCache = null;
      this.sinceFailure = 1;
      this.failedSize = `${img.width}x${img.height}`;
      return null;
    }
  }

  reset(): void {
    this.region = null;
    this.transformCache = null;
    this.sinceFailure = Infinity;
  }
}
