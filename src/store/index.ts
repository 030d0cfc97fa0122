// The store: one Kysely implementation over SQLite (default) and PostgreSQL, with a narrow
// repository per aggregate (STYLE.md §1).
import { auditRepository, type AuditRepository } from "./audit.js";
import { clusterRepository, type ClusterRepository } from "./clusters.js";
import { openStore, storeLocation, type Store, type StoreLocation } from "./db.js";
import { imageRepository, type ImageRepository } from "./images.js";
import { jobRepository, type JobRepository } from "./jobs.js";
import { registryRepository, type RegistryRepository } from "./registry.js";
import { rescanRepository, type RescanRepository } from "./rescan.js";
import { tokenRepository, type TokenRepository } from "./tokens.js";

export interface Repositories {
  readonly store: Store;
  readonly images: ImageRepository;
  readonly registry: RegistryRepository;
  readonly jobs: JobRepository;
  readonly tokens: TokenRepository;
  readonly audit: AuditRepository;
  readonly rescan: RescanRepository;
  readonly clusters: ClusterRepository;
}

export function repositories(store: Store): Repositories {
  return {
    store,
    images: imageRepository(store.db, store.kind),
    registry: registryRepository(store.db),
    jobs: jobRepository(store.db, store.kind),
    tokens: tokenRepository(store.db),
    audit: auditRepository(store.db),
    rescan: rescanRepository(store.db),
    clusters: clusterRepository(store.db),
  };
}

export { openStore, storeLocation };
export type { Store, StoreLocation };
export type { DialectKind } from "./migrations.js";
export type * from "./schema.js";
export { hashToken, isTokenRole, TOKEN_ROLES } from "./tokens.js";
