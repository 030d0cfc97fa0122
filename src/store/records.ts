// CI records: code repositories (with their CODEOWNERS), pipeline runs, and the links from images
// to the repository (and run) that built them. A run is one row per (repository, provider, run id):
// recording it again (the same attempt, or a later attempt) updates that row, never duplicates it.
// Image links are one row per (image, link key), so recording twice changes nothing but times.
import type { Kysely, Transaction } from "kysely";
import type { Database, SourceKind } from "./schema.js";

export type { ImageSourcesTable, SourceKind } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export interface RunInput {
  /** Canonical URL: "https://github.com/acme/web". */
  readonly repositoryUrl: string;
  readonly provider: string;
  readonly runId: string;
  readonly runAttempt?: string;
  readonly runUrl?: string;
  readonly commit?: string;
  readonly ref?: string;
  readonly workflow?: string;
  readonly actor?: string;
  readonly event?: string;
  readonly auth: "oidc" | "token";
  readonly issuer?: string;
  readonly subject?: string;
  /** Who sent the record ("oidc:<issuer>#<sub>", "token:<id>"). */
  readonly recordedBy: string;
}

export interface RepositoryView {
  readonly id: number;
  readonly url: string;
  readonly provider: string | null;
  readonly owners: readonly string[];
  readonly codeowners: string | null;
  readonly codeownersCommit: string | null;
}

export interface RunView {
  readonly id: number;
  readonly repositoryUrl: string;
  readonly provider: string;
  readonly runId: string;
  readonly runAttempt: string | null;
  readonly runUrl: string | null;
  readonly commit: string | null;
  readonly ref: string | null;
  readonly workflow: string | null;
  readonly actor: string | null;
  readonly auth: string | null;
  readonly recordedBy: string | null;
}

export interface ImageSourceView {
  readonly repositoryUrl: string;
  readonly source: SourceKind;
  readonly commit: string | null;
  readonly reference: string | null;
  readonly pipelineRunId: number | null;
}

export interface RecordRepository {
  /** The repository's id, created when new. */
  repositoryId(url: string, provider: string | undefined, now: Date, db?: Db): Promise<number>;
  /** Stores the repository's CODEOWNERS (raw text) and the owners of its root rule. */
  setCodeowners(repositoryId: number, text: string, owners: readonly string[], commit: string | undefined, now: Date, db?: Db): Promise<void>;
  /** Creates or updates the run; `created` is false when it was recorded before. */
  upsertRun(run: RunInput, now: Date, db?: Db): Promise<{ id: number; repositoryId: number; created: boolean }>;
  /** Links an image to the run that pushed it (a strong link; also sets images.pipeline_run_id). */
  linkRun(link: { digest: string; runId: number; repositoryId: number; source: "oidc" | "token"; commit?: string; reference?: string }, now: Date, db?: Db): Promise<void>;
  /**
   * Links an image to the repository and commit its OCI labels name (org.opencontainers.image.source
   * and .revision): a weak link, source "label". False when the source is not a repository URL.
   */
  linkFromLabels(digest: string, sourceUrl: string, revision: string, now: Date, db?: Db): Promise<boolean>;
  /**
   * Links an image to the repository (and commit) a verified SLSA provenance names, source
   * "provenance"; also to the recorded pipeline run whose URL is the provenance's invocation id
   * (GitHub's ".../attempts/N" suffix ignored), setting images.pipeline_run_id when still unset.
   */
  linkFromProvenance(digest: string, src: { readonly repositoryUrl: string; readonly commit?: string; readonly runUrl?: string }, now: Date, db?: Db): Promise<{ pipelineRunId: number | null }>;
  repository(url: string): Promise<RepositoryView | undefined>;
  runs(filter: { readonly provider?: string; readonly runId?: string; readonly repositoryUrl?: string }): Promise<RunView[]>;
  sources(digest: string): Promise<ImageSourceView[]>;
}

/** "https://GitHub.com/Acme/Web.git" or "git@github.com:acme/web.git" → "https://github.com/acme/web"; undefined when not a repository URL. */
export function canonicalRepositoryUrl(s: string): string | undefined {
  let r = s.trim().toLowerCase();
  const scp = /^[^@/:]+@([^/:]+):(.+)$/.exec(r);
  if (scp) r = `${scp[1]}/${scp[2]}`;
  r = r
    .replace(/^[a-z+]+:\/\//, "")
    .replace(/^[^@/]+@/, "")
    .replace(/[?#].*$/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .replace(/\/_git\//, "/");
  const m = /^([a-z0-9.-]+(?::\d{1,5})?)\/([^\s]+)$/.exec(r);
  if (!m || !m[1]?.includes(".") || r.length > 512) return undefined;
  return `https://${r}`;
}

/** The owners list stored as JSON (repositories.owners_json); [] when absent or malformed. */
export function parseOwners(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

export function recordRepository(base: Kysely<Database>): RecordRepository {
  const db = base;

  async function repositoryId(url: string, provider: string | undefined, now: Date, tx: Db = base): Promise<number> {
    const t = tx;
    const at = now.toISOString();
    await t
      .insertInto("repositories")
      .values({ url, created_at: at, provider: provider ?? null, updated_at: at })
      .onConflict((oc) => oc.column("url").doNothing())
      .execute();
    const row = await t.selectFrom("repositories").select(["id", "provider"]).where("url", "=", url).executeTakeFirstOrThrow();
    if (provider && row.provider === null) await t.updateTable("repositories").set({ provider }).where("id", "=", row.id).execute();
    return row.id;
  }

  return {
    repositoryId,

    async setCodeowners(id, text, owners, commit, now, tx = base) {
      await tx
        .updateTable("repositories")
        .set({ codeowners: text, owners_json: JSON.stringify(owners), codeowners_commit: commit ?? null, updated_at: now.toISOString() })
        .where("id", "=", id)
        .execute();
    },

    async upsertRun(run, now, tx = base) {
      const t = tx;
      const at = now.toISOString();
      const repoId = await repositoryId(run.repositoryUrl, run.provider, now, tx);
      const existing = await t
        .selectFrom("pipeline_runs")
        .select("id")
        .where("repository_id", "=", repoId)
        .where("provider", "=", run.provider)
        .where("run_id", "=", run.runId)
        .executeTakeFirst();
      const fields = {
        run_attempt: run.runAttempt ?? null,
        run_url: run.runUrl ?? null,
        commit_sha: run.commit ?? null,
        ref: run.ref ?? null,
        workflow: run.workflow ?? null,
        actor: run.actor ?? null,
        event: run.event ?? null,
        auth: run.auth,
        issuer: run.issuer ?? null,
        subject: run.subject ?? null,
        recorded_by: run.recordedBy,
        updated_at: at,
      };
      if (existing) {
        await t.updateTable("pipeline_runs").set(fields).where("id", "=", existing.id).execute();
        return { id: existing.id, repositoryId: repoId, created: false };
      }
      await t
        .insertInto("pipeline_runs")
        .values({ repository_id: repoId, provider: run.provider, run_id: run.runId, created_at: at, ...fields })
        .onConflict((oc) => oc.columns(["repository_id", "provider", "run_id"]).doUpdateSet(fields))
        .execute();
      const row = await t
        .selectFrom("pipeline_runs")
        .select("id")
        .where("repository_id", "=", repoId)
        .where("provider", "=", run.provider)
        .where("run_id", "=", run.runId)
        .executeTakeFirstOrThrow();
      return { id: row.id, repositoryId: repoId, created: true };
    },

    async linkRun(link, now, tx = base) {
      const t = tx;
      const at = now.toISOString();
      const values = {
        repository_id: link.repositoryId,
        pipeline_run_id: link.runId,
        source: link.source,
        commit_sha: link.commit ?? null,
        reference: link.reference ?? null,
        updated_at: at,
      };
      await t
        .insertInto("image_sources")
        .values({ image_digest: link.digest, link_key: `run:${link.runId}`, created_at: at, ...values })
        .onConflict((oc) => oc.columns(["image_digest", "link_key"]).doUpdateSet(values))
        .execute();
      await t.updateTable("images").set({ pipeline_run_id: link.runId }).where("digest", "=", link.digest).execute();
    },

    async linkFromLabels(digest, sourceUrl, revision, now, tx = base) {
      const url = canonicalRepositoryUrl(sourceUrl);
      const commit = revision.trim().toLowerCase();
      if (!url || !/^[0-9a-f]{7,64}$/.test(commit)) return false;
      const t = tx;
      const at = now.toISOString();
      const repoId = await repositoryId(url, undefined, now, tx);
      await t
        .insertInto("image_sources")
        .values({ image_digest: digest, link_key: `label:${repoId}@${commit}`, repository_id: repoId, pipeline_run_id: null, source: "label", commit_sha: commit, reference: null, created_at: at, updated_at: at })
        .onConflict((oc) => oc.columns(["image_digest", "link_key"]).doUpdateSet({ updated_at: at }))
        .execute();
      return true;
    },

    async linkFromProvenance(digest, src, now, tx = base) {
      const at = now.toISOString();
      const repoId = await repositoryId(src.repositoryUrl, undefined, now, tx);
      let runId: number | null = null;
      if (src.runUrl) {
        const urls = [...new Set([src.runUrl, src.runUrl.replace(/\/attempts\/\d+$/, "")])];
        const run = await tx.selectFrom("pipeline_runs").select("id").where("repository_id", "=", repoId).where("run_url", "in", urls).orderBy("id", "desc").executeTakeFirst();
        runId = run?.id ?? null;
      }
      const values = { repository_id: repoId, pipeline_run_id: runId, source: "provenance" as const, commit_sha: src.commit ?? null, reference: null, updated_at: at };
      await tx
        .insertInto("image_sources")
        .values({ image_digest: digest, link_key: `provenance:${repoId}@${src.commit ?? ""}`, created_at: at, ...values })
        .onConflict((oc) => oc.columns(["image_digest", "link_key"]).doUpdateSet(values))
        .execute();
      if (runId !== null) await tx.updateTable("images").set({ pipeline_run_id: runId }).where("digest", "=", digest).where("pipeline_run_id", "is", null).execute();
      return { pipelineRunId: runId };
    },

    async repository(url) {
      const r = await db.selectFrom("repositories").selectAll().where("url", "=", url).executeTakeFirst();
      if (!r) return undefined;
      return { id: r.id, url: r.url, provider: r.provider, owners: parseOwners(r.owners_json), codeowners: r.codeowners, codeownersCommit: r.codeowners_commit };
    },

    async runs(filter) {
      let q = db
        .selectFrom("pipeline_runs as p")
        .innerJoin("repositories as r", "r.id", "p.repository_id")
        .select(["p.id", "r.url", "p.provider", "p.run_id", "p.run_attempt", "p.run_url", "p.commit_sha", "p.ref", "p.workflow", "p.actor", "p.auth", "p.recorded_by"])
        .orderBy("p.id");
      if (filter.provider) q = q.where("p.provider", "=", filter.provider);
      if (filter.runId) q = q.where("p.run_id", "=", filter.runId);
      if (filter.repositoryUrl) q = q.where("r.url", "=", filter.repositoryUrl);
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        repositoryUrl: r.url,
        provider: r.provider,
        runId: r.run_id,
        runAttempt: r.run_attempt,
        runUrl: r.run_url,
        commit: r.commit_sha,
        ref: r.ref,
        workflow: r.workflow,
        actor: r.actor,
        auth: r.auth,
        recordedBy: r.recorded_by,
      }));
    },

    async sources(digest) {
      const rows = await db
        .selectFrom("image_sources as s")
        .innerJoin("repositories as r", "r.id", "s.repository_id")
        .select(["r.url", "s.source", "s.commit_sha", "s.reference", "s.pipeline_run_id"])
        .where("s.image_digest", "=", digest)
        .orderBy("s.link_key")
        .execute();
      return rows.map((r) => ({ repositoryUrl: r.url, source: r.source, commit: r.commit_sha, reference: r.reference, pipelineRunId: r.pipeline_run_id }));
    },
  };
}
