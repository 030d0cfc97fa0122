// Versioned schema migrations, in code (Kysely Migrator with an in-code provider). Append new
// migrations with the next number; never edit one that has shipped.
import { sql, type Kysely, type Migration, type MigrationProvider, type CreateTableBuilder } from "kysely";
import { findingContextHash, findingImageContext } from "./content-hash.js";

export type DialectKind = "sqlite" | "postgres";

/** An auto-increment integer primary key, spelled for each dialect. */
function withId<T extends string>(kind: DialectKind, t: CreateTableBuilder<T, never>): CreateTableBuilder<T, "id"> {
  return kind === "postgres" ? t.addColumn("id", "serial", (c) => c.primaryKey()) : t.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement());
}

function initial(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await withId(kind, db.schema.createTable("repositories"))
        .addColumn("url", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await withId(kind, db.schema.createTable("pipeline_runs"))
        .addColumn("repository_id", "integer", (c) => c.notNull().references("repositories.id"))
        .addColumn("provider", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("run_url", "text")
        .addColumn("commit_sha", "text")
        .addColumn("ref", "text")
        .addColumn("workflow", "text")
        .addColumn("actor", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("pipeline_runs_identity", ["repository_id", "provider", "run_id"])
        .execute();
      await db.schema
        .createTable("images")
        .addColumn("digest", "text", (c) => c.primaryKey())
        .addColumn("media_type", "text")
        .addColumn("index_digest", "text")
        .addColumn("platform", "text")
        .addColumn("config_digest", "text")
        .addColumn("pipeline_run_id", "integer", (c) => c.references("pipeline_runs.id"))
        .addColumn("scan_status", "text", (c) => c.notNull())
        .addColumn("scan_error", "text")
        .addColumn("scanned_at", "text")
        .addColumn("distro", "text")
        .addColumn("inventory_json", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("images_index_digest").on("images").column("index_digest").execute();
      await withId(kind, db.schema.createTable("registry_repositories"))
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addUniqueConstraint("registry_repositories_host_name", ["host", "name"])
        .execute();
      await db.schema
        .createTable("tags")
        .addColumn("registry_repository_id", "integer", (c) => c.notNull().references("registry_repositories.id"))
        .addColumn("tag", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull())
        .addColumn("pushed_at", "text", (c) => c.notNull())
        .addColumn("last_pulled_at", "text")
        .addPrimaryKeyConstraint("tags_pk", ["registry_repository_id", "tag"])
        .execute();
      await db.schema.createIndex("tags_digest").on("tags").column("digest").execute();
      await withId(kind, db.schema.createTable("image_events"))
        .addColumn("registry_repository_id", "integer", (c) => c.notNull().references("registry_repositories.id"))
        .addColumn("digest", "text", (c) => c.notNull())
        .addColumn("tag", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor", "text")
        .execute();
      await db.schema.createIndex("image_events_digest").on("image_events").columns(["digest", "action", "at"]).execute();
      await db.schema
        .createTable("image_packages")
        .addColumn("image_digest", "text", (c) => c.notNull())
        .addColumn("purl", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("image_packages_pk", ["image_digest", "purl"])
        .execute();
      await db.schema.createIndex("image_packages_name").on("image_packages").columns(["type", "name"]).execute();
      await db.schema
        .createTable("vulnerabilities")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("title", "text")
        .addColumn("url", "text")
        .addColumn("aliases_json", "text", (c) => c.notNull())
        .addColumn("kev", "integer", (c) => c.notNull())
        .addColumn("modified", "text")
        .execute();
      await db.schema
        .createTable("findings")
        .addColumn("image_digest", "text", (c) => c.notNull())
        .addColumn("vulnerability_id", "text", (c) => c.notNull())
        .addColumn("package_purl", "text", (c) => c.notNull())
        .addColumn("package_name", "text", (c) => c.notNull())
        .addColumn("installed_version", "text", (c) => c.notNull())
        .addColumn("fix_status", "text", (c) => c.notNull())
        .addColumn("fixed_versions_json", "text", (c) => c.notNull())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("first_seen", "text", (c) => c.notNull())
        .addColumn("last_seen", "text", (c) => c.notNull())
        .addColumn("fixed_at", "text")
        .addColumn("data_json", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("findings_pk", ["image_digest", "vulnerability_id", "package_purl"])
        .execute();
      await db.schema.createIndex("findings_vulnerability").on("findings").column("vulnerability_id").execute();
      await withId(kind, db.schema.createTable("jobs"))
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("dedupe_key", "text", (c) => c.notNull())
        .addColumn("payload_json", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("max_attempts", "integer", (c) => c.notNull())
        .addColumn("run_after", "text", (c) => c.notNull())
        .addColumn("lease_until", "text")
        .addColumn("worker", "text")
        .addColumn("last_error", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      // Deduplication: one queued-or-running job per key; finished jobs stay as history.
      await db.schema
        .createIndex("jobs_active_dedupe")
        .on("jobs")
        .column("dedupe_key")
        .unique()
        .where(sql.ref("status"), "in", [sql.lit("queued"), sql.lit("running")])
        .execute();
      await db.schema.createIndex("jobs_claim").on("jobs").columns(["status", "run_after"]).execute();
      await withId(kind, db.schema.createTable("api_tokens"))
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("description", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();
      await withId(kind, db.schema.createTable("audit_log"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("subject", "text")
        .addColumn("detail_json", "text")
        .execute();
      await db.schema
        .createTable("registry_events")
        .addColumn("event_id", "text", (c) => c.primaryKey())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("digest", "text")
        .addColumn("repository", "text")
        .addColumn("received_at", "text", (c) => c.notNull())
        .addColumn("raw_json", "text", (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * CI records (issue 7): repositories carry their CODEOWNERS (raw text and the root rule's owners);
 * pipeline runs their attempt and how the record was authenticated; image_sources links an image to
 * the repository (and run) that built it, with how the link is known: "oidc" or "token" (a CI
 * record) or "label" (OCI labels, weak). One row per (image, link_key): "run:<id>" or
 * "label:<repository id>@<commit>".
 */
function ciRecords(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // One column per ALTER: SQLite adds a single column per statement.
      for (const col of ["provider", "codeowners", "codeowners_commit", "owners_json", "updated_at"]) {
        await db.schema.alterTable("repositories").addColumn(col, "text").execute();
      }
      for (const col of ["run_attempt", "auth", "issuer", "subject", "event", "recorded_by", "updated_at"]) {
        await db.schema.alterTable("pipeline_runs").addColumn(col, "text").execute();
      }
      await db.schema
        .createTable("image_sources")
        .addColumn("image_digest", "text", (c) => c.notNull())
        .addColumn("link_key", "text", (c) => c.notNull())
        .addColumn("repository_id", "integer", (c) => c.notNull().references("repositories.id"))
        .addColumn("pipeline_run_id", "integer", (c) => c.references("pipeline_runs.id"))
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("commit_sha", "text")
        .addColumn("reference", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("image_sources_pk", ["image_digest", "link_key"])
        .execute();
      await db.schema.createIndex("image_sources_repository").on("image_sources").column("repository_id").execute();
      await db.schema.createIndex("image_sources_run").on("image_sources").column("pipeline_run_id").execute();
    },
  };
}

/**
 * The rest of the graph (issue 7): Kubernetes inventory with derived exposure, attestations next to
 * images, and a small settings table for server state (scheduler runs, DB version seen).
 */
function graph(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await withId(kind, db.schema.createTable("clusters"))
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text")
        .addColumn("resource_versions_json", "text")
        .addColumn("warnings_json", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("namespaces")
        .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("labels_json", "text", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("namespaces_pk", ["cluster_id", "name"])
        .execute();
      await withId(kind, db.schema.createTable("workloads"))
        .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
        .addColumn("namespace", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("uid", "text")
        .addColumn("labels_json", "text", (c) => c.notNull())
        .addColumn("pod_count", "integer", (c) => c.notNull())
        .addColumn("internet_exposed", "integer", (c) => c.notNull())
        .addColumn("first_seen", "text", (c) => c.notNull())
        .addColumn("last_seen", "text", (c) => c.notNull())
        .addColumn("removed_at", "text")
        .addUniqueConstraint("workloads_identity", ["cluster_id", "namespace", "kind", "name"])
        .execute();
      await db.schema
        .createTable("workload_images")
        .addColumn("workload_id", "integer", (c) => c.notNull().references("workloads.id"))
        .addColumn("container", "text", (c) => c.notNull())
        .addColumn("init", "integer", (c) => c.notNull())
        .addColumn("image_ref", "text", (c) => c.notNull())
        .addColumn("digest", "text")
        .addColumn("digest_kind", "text")
        .addColumn("repository", "text")
        .execute();
      await db.schema.createIndex("workload_images_workload").on("workload_images").column("workload_id").execute();
      await db.schema.createIndex("workload_images_digest").on("workload_images").column("digest").execute();
      await db.schema
        .createTable("services")
        .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
        .addColumn("namespace", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("ports_json", "text", (c) => c.notNull())
        .addColumn("load_balancer_addresses_json", "text", (c) => c.notNull())
        .addColumn("internet_exposed", "integer", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("services_pk", ["cluster_id", "namespace", "name"])
        .execute();
      await db.schema
        .createTable("ingresses")
        .addColumn("cluster_id", "integer", (c) => c.notNull().references("clusters.id"))
        .addColumn("namespace", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("ingress_class", "text")
        .addColumn("rules_json", "text", (c) => c.notNull())
        .addColumn("addresses_json", "text", (c) => c.notNull())
        .addColumn("internet_exposed", "integer", (c) => c.notNull())
        .addColumn("last_seen_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("ingresses_pk", ["cluster_id", "namespace", "name"])
        .execute();
      await db.schema
        .createTable("workload_exposures")
        .addColumn("workload_id", "integer", (c) => c.notNull().references("workloads.id"))
        .addColumn("via", "text", (c) => c.notNull())
        .addColumn("service", "text", (c) => c.notNull())
        .addColumn("ingress", "text")
        .addColumn("host", "text")
        .addColumn("path", "text")
        .addColumn("internet", "integer", (c) => c.notNull())
        .addColumn("route", "text", (c) => c.notNull())
        .addColumn("detail_json", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("workload_exposures_workload").on("workload_exposures").column("workload_id").execute();
      await db.schema
        .createTable("attestations")
        .addColumn("image_digest", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("predicate_type", "text")
        .addColumn("signer", "text")
        .addColumn("verified", "integer", (c) => c.notNull())
        .addColumn("source_repository", "text")
        .addColumn("detail_json", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("attestations_pk", ["image_digest", "digest"])
        .execute();
      await db.schema
        .createTable("settings")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value_json", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("findings_image_state").on("findings").columns(["image_digest", "state"]).execute();
      await db.schema.createIndex("image_packages_name_only").on("image_packages").column("name").execute();
      await db.schema.createIndex("tags_pushed").on("tags").column("pushed_at").execute();
    },
  };
}

/**
 * Continuous rescans (issue 7): each stored package keeps the key the matcher asks advisories under
 * (ecosystem as advisoryQuery spells it, e.g. "Debian:12", and the normalised name — the source
 * package for OS packages; both "" when the package is not matched), so a DB update finds the images
 * an advisory names with one indexed query. NULL = stored before this migration (unknown). Images
 * record when their findings were last matched and against which vulnerability DB (its built_at).
 * rescan_advisories is the server's copy of the vulnerability DB's (advisory, modified, withdrawn,
 * packages) as last seen, diffed against the next DB to find new, changed and removed advisories.
 */
function rescan(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const col of ["match_ecosystem", "match_name"]) await db.schema.alterTable("image_packages").addColumn(col, "text").execute();
      await db.schema.createIndex("image_packages_match").on("image_packages").columns(["match_name", "match_ecosystem"]).execute();
      for (const col of ["matched_at", "matched_db"]) await db.schema.alterTable("images").addColumn(col, "text").execute();
      await db.schema
        .createTable("rescan_advisories")
        .addColumn("advisory_id", "text", (c) => c.primaryKey())
        /** modified + withdrawn: a change in either re-matches the packages it names. */
        .addColumn("fingerprint", "text", (c) => c.notNull())
        /** JSON array of "<ecosystem>\n<normalised name>" keys from its affected[] entries. */
        .addColumn("packages_json", "text", (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * 0005: what a re-match needs without parsing the stored inventory (server/rematch.ts): per package
 * its verdict key, the verdict it was last matched with and its finding context; per image the layers
 * and labels findings name. Null: stored before 0005 (the re-match reads the inventory then).
 */
function rematchScale(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const col of ["verdict_key", "verdict_hash", "package_json"]) await db.schema.alterTable("image_packages").addColumn(col, "text").execute();
      await db.schema.alterTable("images").addColumn("match_image_json", "text").execute();
      // An incremental re-match reads the packages under a few names in a batch of images, and their findings.
      await db.schema.createIndex("image_packages_match_image").on("image_packages").columns(["match_name", "image_digest"]).execute();
      await db.schema.createIndex("findings_image_package").on("findings").columns(["image_digest", "package_purl"]).execute();
    },
  };
}

/**
 * 0006: images stay narrow rows. The stored inventory (tens to hundreds of KB per image) moves to its
 * own table, read only by a re-match that parses it and the SBOM/SARIF exports: inline, every read or
 * update of an image row (an API lookup, a re-match marking 100,000 images matched, an explorer join)
 * walked or rewrote it. Findings are looked up per image by state and severity (explorer filters,
 * dashboard counts) and per vulnerability by state (the explorer's CVE → images step): the new
 * indexes replace the shorter ones they extend.
 */
function narrowImages(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("image_inventories")
        .addColumn("digest", "text", (c) => c.primaryKey().references("images.digest"))
        .addColumn("inventory_json", "text", (c) => c.notNull())
        .execute();
      await sql`insert into image_inventories (digest, inventory_json) select digest, inventory_json from images where inventory_json is not null`.execute(db);
      await db.schema.alterTable("images").dropColumn("inventory_json").execute();
      await db.schema.createIndex("findings_image_state_severity").on("findings").columns(["image_digest", "state", "severity"]).execute();
      await db.schema.dropIndex("findings_image_state").execute();
      await db.schema.createIndex("findings_vulnerability_state").on("findings").columns(["vulnerability_id", "state", "image_digest"]).execute();
      await db.schema.dropIndex("findings_vulnerability").execute();
      // The primary key (image_digest, vulnerability_id, package_purl) already leads with the image;
      // an image has tens of findings, so filtering its purls needs no index of its own (one B-tree
      // less to update per finding written).
      await db.schema.dropIndex("findings_image_package").execute();
      // An incremental re-match reads, for the packages under a few names in a batch of images, their
      // verdict key and hash: from the index alone, not from rows that also hold package JSON (one
      // random page per image once the store outgrows memory).
      await db.schema.createIndex("image_packages_match_cover").on("image_packages").columns(["match_name", "image_digest", "match_ecosystem", "purl", "verdict_key", "verdict_hash"]).execute();
      await db.schema.dropIndex("image_packages_match_image").execute();
    },
  };
}

/**
 * 0007: findings keep their details once per distinct content, and re-match state moves to a table
 * clustered by package name. A finding's JSON (~1.5 KB) was most of each findings row and is the
 * same for every image with the same package, layer and verdict: 6.6 M rows at 100,000 images made
 * the findings table ~10 GB, and its pages pushed the indexes a re-match touches out of memory. Per
 * matched package, the verdict key and hash lived in the wide image_packages rows, so recording a
 * new verdict for the images of one package rewrote one random page per image; package_verdicts
 * keeps them (and the context hash that tells alike images apart) keyed by (match_name, image,
 * purl), so the rows of one package over the whole fleet are one range.
 */
function sharedDetails(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const d = db as Kysely<{
        images: { digest: string; match_image_json: string | null };
        image_packages: { image_digest: string; purl: string; match_ecosystem: string | null; match_name: string | null; verdict_key: string | null; verdict_hash: string | null; package_json: string | null };
        package_verdicts: { match_name: string; image_digest: string; purl: string; match_ecosystem: string; verdict_key: string; verdict_hash: string | null; context_hash: string };
      }>;
      await db.schema.createTable("finding_details").addColumn("hash", "text", (c) => c.primaryKey()).addColumn("data_json", "text", (c) => c.notNull()).execute();
      await db.schema.alterTable("findings").addColumn("detail_hash", "text").execute();
      // In one pass each: the hash by SQL (store/db.ts registers content-hash.ts detailHash with SQLite;
      // PostgreSQL spells the same 22 characters of base64url sha256).
      const hash = kind === "sqlite" ? sql`berth_detail_hash(data_json)` : sql`translate(substr(encode(sha256(convert_to(data_json, 'UTF8')), 'base64'), 1, 22), '+/', '-_')`;
      await sql`update findings set detail_hash = ${hash}`.execute(db);
      await sql`insert into finding_details (hash, data_json) select detail_hash, min(data_json) from findings group by detail_hash`.execute(db);
      await db.schema.alterTable("findings").dropColumn("data_json").execute();

      await (kind === "sqlite" ? db.schema.createTable("package_verdicts").modifyEnd(sql`without rowid`) : db.schema.createTable("package_verdicts"))
        .addColumn("match_name", "text", (c) => c.notNull())
        .addColumn("image_digest", "text", (c) => c.notNull().references("images.digest"))
        .addColumn("purl", "text", (c) => c.notNull())
        .addColumn("match_ecosystem", "text", (c) => c.notNull())
        .addColumn("verdict_key", "text", (c) => c.notNull())
        .addColumn("verdict_hash", "text")
        .addColumn("context_hash", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("package_verdicts_pk", ["match_name", "image_digest", "purl"])
        .execute();
      // A whole-image re-match reads an image's rows.
      await db.schema.createIndex("package_verdicts_image").on("package_verdicts").column("image_digest").execute();
      // The rows of matched packages with their compact context (0005), in key order; SQLite hashes in
      // SQL (store/db.ts registers content-hash.ts findingContextHash), PostgreSQL an image batch at a time.
      const complete = sql<boolean>`p.match_ecosystem is not null and p.match_ecosystem <> '' and p.match_name is not null and p.match_name <> '' and p.verdict_key is not null and p.package_json is not null`;
      if (kind === "sqlite") {
        await sql`insert into package_verdicts (match_name, image_digest, purl, match_ecosystem, verdict_key, verdict_hash, context_hash)
          select p.match_name, p.image_digest, p.purl, p.match_ecosystem, p.verdict_key, p.verdict_hash, berth_context_hash(p.package_json, i.match_image_json)
          from image_packages p join images i on i.digest = p.image_digest
          where i.match_image_json is not null and ${complete}
          order by p.match_name, p.image_digest, p.purl`.execute(db);
      } else {
        let last: string | undefined;
        for (;;) {
          let q = d.selectFrom("images").select(["digest", "match_image_json"]).where("match_image_json", "is not", null);
          if (last !== undefined) q = q.where("digest", ">", last);
          const images = await q.orderBy("digest").limit(500).execute();
          if (images.length === 0) break;
          last = images.at(-1)!.digest;
          const contexts = new Map(images.map((i) => [i.digest, findingImageContext(i.match_image_json!)]));
          const packages = await d
            .selectFrom("image_packages as p")
            .select(["p.image_digest", "p.purl", "p.match_ecosystem", "p.match_name", "p.verdict_key", "p.verdict_hash", "p.package_json"])
            .where("p.image_digest", "in", images.map((i) => i.digest))
            .where(complete)
            .execute();
          const rows = packages.map((p) => ({ match_name: p.match_name!, image_digest: p.image_digest, purl: p.purl, match_ecosystem: p.match_ecosystem!, verdict_key: p.verdict_key!, verdict_hash: p.verdict_hash, context_hash: findingContextHash(p.package_json!, contexts.get(p.image_digest)!) }));
          for (let i = 0; i < rows.length; i += 200) await d.insertInto("package_verdicts").values(rows.slice(i, i + 200)).execute();
        }
      }
      // Matched packages without a verdict key (rows a scan replaced before 0005): the image's context
      // is dropped, so the next re-match reads its inventory again and records every row.
      await sql`update images set match_image_json = null where match_image_json is not null and digest in (
          select p.image_digest from image_packages p where not (p.match_ecosystem = '' or (p.match_ecosystem is null and p.verdict_key is null)) and not (${complete}))`.execute(db);
      await sql`delete from package_verdicts where image_digest in (select digest from images where match_image_json is null)`.execute(db);
      await db.schema.dropIndex("image_packages_match_cover").execute();
      // The images with packages a DB update names (store/rescan.ts digestsWithPackages), from the index alone.
      await db.schema.createIndex("image_packages_match_digest").on("image_packages").columns(["match_name", "match_ecosystem", "image_digest"]).execute();
      await db.schema.dropIndex("image_packages_match").execute();
      for (const col of ["verdict_key", "verdict_hash"]) await db.schema.alterTable("image_packages").dropColumn(col).execute();
    },
  };
}

/**
 * 0008: findings are unique by (vulnerability, image, package), in that order. An advisory a DB update
 * adds or changes yields findings for one vulnerability across thousands of images: keyed by image
 * first, each was a random leaf of the unique index to read, split and write (with the image index,
 * two per finding — most of an incremental re-match at 100,000 images); keyed by vulnerability first,
 * a batch's rows, written in image order, land next to each other. A scan writes one image's findings
 * of many vulnerabilities, now spread over the index, which costs milliseconds per scan. Lookups by
 * image keep findings_image_state_severity. SQLite cannot change a table's primary key in place: the
 * table is copied in image order (rowids stay clustered by image, as scans write them) and its
 * indexes built after; PostgreSQL swaps the constraint for the index.
 */
function findingsByVulnerability(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (kind === "postgres") {
        await sql`alter table findings drop constraint findings_pk`.execute(db);
      } else {
        const columns = ["image_digest", "vulnerability_id", "package_purl", "package_name", "installed_version", "fix_status", "fixed_versions_json", "severity", "state", "first_seen", "last_seen", "fixed_at", "detail_hash"] as const;
        const nullable = new Set<string>(["fixed_at", "detail_hash"]);
        let t = db.schema.createTable("findings_copy");
        for (const c of columns) t = t.addColumn(c, "text", (col) => (nullable.has(c) ? col : col.notNull()));
        await t.execute();
        const list = sql.join(columns.map((c) => sql.ref(c)));
        await sql`insert into findings_copy (${list}) select ${list} from findings order by image_digest, vulnerability_id, package_purl`.execute(db);
        await db.schema.dropTable("findings").execute();
        await db.schema.alterTable("findings_copy").renameTo("findings").execute();
        await db.schema.createIndex("findings_image_state_severity").on("findings").columns(["image_digest", "state", "severity"]).execute();
        await db.schema.createIndex("findings_vulnerability_state").on("findings").columns(["vulnerability_id", "state", "image_digest"]).execute();
      }
      await db.schema.createIndex("findings_key").on("findings").columns(["vulnerability_id", "image_digest", "package_purl"]).unique().execute();
    },
  };
}

/** Every migration, by name (names sort in application order). */
export function migrationProvider(kind: DialectKind): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve({ "0001_initial": initial(kind), "0002_ci_records": ciRecords(), "0003_graph": graph(kind), "0004_rescan": rescan(), "0005_rematch_scale": rematchScale(), "0006_narrow_images": narrowImages(), "0007_shared_details": sharedDetails(kind), "0008_findings_by_vulnerability": findingsByVulnerability(kind) }),
  };
}
