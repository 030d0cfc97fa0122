// Signatures and attestations found next to an image (server/attestations.ts discovers them). One
// row per (image, evidence digest); a discovery replaces the image's rows as a whole, so a removed
// signature disappears. A discovery that fails keeps the previous rows and records the failure as
// one row of kind "discovery-error" (evidence digest "discovery"), removed by the next success.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

/** Kinds the gate reads; other kinds ("custom", "unreadable", "discovery-error") are shown only. */
export type AttestationRowKind = "signature" | "provenance" | "sbom" | "vuln" | "custom" | "unreadable" | "discovery-error";

export const DISCOVERY_ERROR_KIND = "discovery-error";

export interface StoredAttestation {
  /** Digest of the evidence: the signature payload or DSSE envelope blob, else the referrer manifest. */
  readonly digest: string;
  readonly kind: AttestationRowKind;
  readonly predicateType?: string;
  readonly signer?: string;
  readonly verified: boolean;
  readonly sourceRepository?: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AttestationView {
  readonly digest: string;
  readonly kind: string;
  readonly predicateType: string | null;
  readonly signer: string | null;
  readonly verified: boolean;
  readonly sourceRepository: string | null;
  readonly detail: Record<string, unknown>;
  readonly createdAt: string;
}

export interface AttestationRepository {
  /**
   * Replaces every row of the image with these (one transaction), stamped with `discoveredAt`, the
   * time the discovery started — unless a discovery that started later has written already (two
   * discoveries of one image can overlap; the later one saw the newer evidence). False then.
   */
  replace(imageDigest: string, rows: readonly StoredAttestation[], discoveredAt: Date): Promise<boolean>;
  /** Records a failed discovery; the rows found before stay. */
  recordFailure(imageDigest: string, message: string, now: Date): Promise<void>;
  list(imageDigest: string): Promise<AttestationView[]>;
  /** For the gate: verified signatures and the source repositories of verified provenance, over these digests. */
  evidenceOf(imageDigests: readonly string[]): Promise<{ signed: boolean; unverifiedSignatures: number; provenanceRepositories: string[] }>;
}

function parseDetail(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function attestationRepository(db: Kysely<Database>): AttestationRepository {
  const insert = async (tx: Db, imageDigest: string, r: StoredAttestation, at: string): Promise<void> => {
    await tx
      .insertInto("attestations")
      .values({
        image_digest: imageDigest,
        digest: r.digest,
        kind: r.kind,
        predicate_type: r.predicateType ?? null,
        signer: r.signer ?? null,
        verified: r.verified ? 1 : 0,
        source_repository: r.sourceRepository ?? null,
        detail_json: JSON.stringify(r.detail),
        created_at: at,
      })
      .execute();
  };

  return {
    async replace(imageDigest, rows, discoveredAt) {
      const at = discoveredAt.toISOString();
      return db.transaction().execute(async (tx) => {
        const newest = await tx
          .selectFrom("attestations")
          .select((eb) => eb.fn.max("created_at").as("at"))
          .where("image_digest", "=", imageDigest)
          .where("kind", "!=", DISCOVERY_ERROR_KIND)
          .executeTakeFirst();
        if (newest?.at && newest.at > at) return false;
        await tx.deleteFrom("attestations").where("image_digest", "=", imageDigest).execute();
        for (const r of rows) await insert(tx, imageDigest, r, at);
        return true;
      });
    },

    async recordFailure(imageDigest, message, now) {
      const at = now.toISOString();
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom("attestations").where("image_digest", "=", imageDigest).where("kind", "=", DISCOVERY_ERROR_KIND).execute();
        await insert(tx, imageDigest, { digest: "discovery", kind: DISCOVERY_ERROR_KIND, verified: false, detail: { problem: message.slice(0, 1000) } }, at);
      });
    },

    async list(imageDigest) {
      const rows = await db.selectFrom("attestations").selectAll().where("image_digest", "=", imageDigest).orderBy("kind").orderBy("digest").execute();
      return rows.map((r) => ({
        digest: r.digest,
        kind: r.kind,
        predicateType: r.predicate_type,
        signer: r.signer,
        verified: Number(r.verified) === 1,
        sourceRepository: r.source_repository,
        detail: parseDetail(r.detail_json),
        createdAt: r.created_at,
      }));
    },

    async evidenceOf(imageDigests) {
      if (imageDigests.length === 0) return { signed: false, unverifiedSignatures: 0, provenanceRepositories: [] };
      const rows = await db
        .selectFrom("attestations")
        .select(["kind", "verified", "source_repository"])
        .where("image_digest", "in", [...imageDigests])
        .where("kind", "in", ["signature", "provenance"])
        .execute();
      const repos = new Set<string>();
      let signed = false;
      let unverifiedSignatures = 0;
      for (const r of rows) {
        const ok = Number(r.verified) === 1;
        if (r.kind === "signature") {
          if (ok) signed = true;
          else unverifiedSignatures++;
        } else if (ok && r.source_repository) repos.add(r.source_repository);
      }
      return { signed, unverifiedSignatures, provenanceRepositories: [...repos].sort() };
    },
  };
}
