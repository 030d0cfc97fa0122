// Downloads of what the server knows about an image, rendered by the same code as the CLI:
//   GET /api/v1/images/{digest}/sbom?format=cyclonedx|spdx   the stored inventory (sbom/ renderers)
//   GET /api/v1/images/{digest}/sarif                        open findings as SARIF 2.1.0 (report/)
// Nothing is re-scanned: the SBOM is the inventory the last scan stored, the SARIF its findings.
// An index without an inventory of its own answers with its first scanned platform image.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ImageMetadata } from "../../model/image.js";
import type { Finding } from "../../model/finding.js";
import type { Distro, Package, Unknown } from "../../model/package.js";
import { sortFindings } from "../../match/match.js";
import { renderReport, type ReportDocument } from "../../report/index.js";
import { renderSbom, type SbomDocument } from "../../sbom/index.js";
import type { ImageRow, Repositories } from "../../store/index.js";
import { BERTH_VERSION } from "../../util/about.js";
import { BerthError } from "../../util/errors.js";
import { requireAuth } from "../auth/tokens.js";
import { isValidDigest } from "../ingest/distribution.js";
import { withStoredBaseRemediation } from "../scan-outcome.js";

const TOOL = { name: "Berth", version: BERTH_VERSION, informationUri: "https://github.com/berth-dev/berth" };

const SBOM_TYPES = { cyclonedx: "application/vnd.cyclonedx+json", spdx: "application/spdx+json" } as const;
type ExportFormat = keyof typeof SBOM_TYPES;

/** The stored inventory JSON (sbom/json.ts) back as an SbomDocument; it is the server's own output, still checked for shape. */
export function inventoryDocument(json: string, digest: string): SbomDocument {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new BerthError("corrupt", `stored inventory of ${digest} is not JSON`);
  }
  const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  const subject = typeof o.subject === "object" && o.subject !== null ? (o.subject as Record<string, unknown>) : undefined;
  if (!Array.isArray(o.packages) || !subject || subject.kind !== "image" || typeof subject.image !== "object" || subject.image === null) {
    throw new BerthError("corrupt", `stored inventory of ${digest} has an unexpected shape`);
  }
  const timestamp = typeof o.timestamp === "string" && !Number.isNaN(Date.parse(o.timestamp)) ? new Date(o.timestamp) : new Date(0);
  return {
    subject: { kind: "image", image: subject.image as ImageMetadata },
    ...(typeof o.distro === "object" && o.distro !== null ? { distro: o.distro as Distro } : {}),
    packages: o.packages as Package[],
    unknowns: Array.isArray(o.unknowns) ? (o.unknowns as Unknown[]) : [],
    timestamp,
    tool: { name: TOOL.name, version: BERTH_VERSION },
  };
}

function parseFinding(dataJson: string): Finding | undefined {
  try {
    const f = JSON.parse(dataJson) as unknown;
    return typeof f === "object" && f !== null && typeof (f as Finding).id === "string" && typeof (f as Finding).package === "object" ? (f as Finding) : undefined;
  } catch {
    return undefined;
  }
}

function fileName(digest: string, ext: string): string {
  return `${digest.replace(":", "-").slice(0, 19)}${ext}`;
}

export function registerImageExportRoutes(app: FastifyInstance, deps: { readonly repos: Repositories }): void {
  const { repos } = deps;
  const auth = requireAuth(repos, { roles: ["admin", "read", "ingest"] });

  /** The image, or the platform image of an index, that holds a stored inventory. */
  const scanned = async (digest: string, reply: FastifyReply): Promise<{ image: ImageRow; inventoryJson: string } | undefined> => {
    if (!isValidDigest(digest)) {
      void reply.code(400).send({ error: "input", message: `not a digest: ${digest.slice(0, 100)}` });
      return undefined;
    }
    const image = await repos.images.get(digest);
    if (!image) {
      void reply.code(404).send({ error: "not-found", message: `unknown image ${digest}` });
      return undefined;
    }
    for (const candidate of [image, ...(await repos.images.children(digest))]) {
      const inventoryJson = await repos.images.inventory(candidate.digest);
      if (inventoryJson !== undefined) return { image: candidate, inventoryJson };
    }
    void reply.code(404).send({ error: "not-scanned", message: `image ${digest} has no stored inventory yet (scan status: ${image.scan_status})` });
    return undefined;
  };

  app.get<{ Params: { digest: string }; Querystring: { format?: string } }>("/api/v1/images/:digest/sbom", { preHandler: auth }, async (req, reply) => {
    const format = (req.query.format ?? "cyclonedx") as ExportFormat;
    if (!(format in SBOM_TYPES)) return reply.code(400).send({ error: "input", message: `format: expected cyclonedx or spdx, got "${String(req.query.format).slice(0, 40)}"` });
    const found = await scanned(req.params.digest, reply);
    if (!found) return reply;
    const { image } = found;
    const body = await renderSbom(format, inventoryDocument(found.inventoryJson, image.digest));
    return reply
      .type(SBOM_TYPES[format])
      .header("content-disposition", `attachment; filename="${fileName(image.digest, format === "spdx" ? ".spdx.json" : ".cdx.json")}"`)
      .send(body);
  });

  app.get<{ Params: { digest: string } }>("/api/v1/images/:digest/sarif", { preHandler: auth }, async (req, reply) => {
    const found = await scanned(req.params.digest, reply);
    if (!found) return reply;
    const { image } = found;
    const inv = inventoryDocument(found.inventoryJson, image.digest);
    const meta = inv.subject.kind === "image" ? inv.subject.image : undefined;
    // Stored without the base-image note (scan-outcome.ts toStoredFinding): applied as the API does.
    const rows = withStoredBaseRemediation(await repos.images.findings(image.digest), image.match_image_json);
    const findings = rows.map((r) => parseFinding(r.data_json)).filter((f): f is Finding => f !== undefined);
    const doc: ReportDocument = {
      schema: "https://berth.dev/schemas/report/v1",
      tool: TOOL,
      timestamp: image.scanned_at ? new Date(image.scanned_at) : inv.timestamp,
      targets: [
        {
          name: meta?.repository ? `${meta.repository}@${image.digest}` : image.digest,
          kind: "image",
          ...(meta ? { image: meta } : {}),
          ...(inv.distro ? { distro: inv.distro } : {}),
          packages: inv.packages,
          findings: sortFindings(findings),
          undecided: [],
        },
      ],
      category: `berth/image/${(meta?.repository ?? image.digest).split("/").pop() ?? "image"}`,
    };
    return reply
      .type("application/sarif+json")
      .header("content-disposition", `attachment; filename="${fileName(image.digest, ".sarif")}"`)
      .send(await renderReport("sarif", doc, {}));
  });
}
