// The one interface every image source (registry, OCI layout, OCI archive, docker archive)
// implements. A source resolves the manifest and config up front (small, bounded documents) and
// hands out layer blobs as streams; the layer reader decompresses, verifies diffIDs and walks them.
import type { Readable } from "node:stream";
import type { ImageMetadata, LayerInfo } from "../model/image.js";

export interface LayerBlob {
  readonly info: LayerInfo;
  /**
   * Opens the layer blob (as stored: usually compressed). The stream fails with
   * BerthError("digest-mismatch") at its end if the bytes do not match info.digest, and with
   * BerthError("limit") if it is larger than the limits allow.
   */
  open(): Promise<Readable>;
}

export interface ImageSource {
  readonly metadata: ImageMetadata;
  readonly layers: readonly LayerBlob[];
  close(): Promise<void>;
}
