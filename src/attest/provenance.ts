// A SLSA Provenance v1 predicate from a CI context (ci-env.ts). GitHub Actions builds use GitHub's
// own build type (https://actions.github.io/buildtypes/workflow/v1) so consumers that know it read
// them as they read GitHub's attestations; the others use Berth build types documented in README.md.
import type { CiContext, CiPlatform } from "./ci-env.js";
import type { ProvenanceV1, ResourceDescriptorV1 } from "./slsa.js";

export const BuildType: Readonly<Record<CiPlatform, string>> = {
  "github-actions": "https://actions.github.io/buildtypes/workflow/v1",
  "azure-pipelines": "https://berth.dev/buildtypes/azure-pipelines/v1",
  "gitlab-ci": "https://berth.dev/buildtypes/gitlab-ci/v1",
  local: "https://berth.dev/buildtypes/local/v1",
};

function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
}

function sourceDependency(ci: CiContext): ResourceDescriptorV1[] {
  if (!ci.repository) return [];
  const uri = `git+${ci.repository}${ci.ref ? `@${ci.ref}` : ""}`;
  return [{ uri, ...(ci.commit ? { digest: { gitCommit: ci.commit } } : {}) }];
}

export interface ProvenanceInput {
  readonly ci: CiContext;
  /** When Berth ran (finishedOn); SOURCE_DATE_EPOCH makes it reproducible. */
  readonly finishedOn: Date;
  readonly berthVersion: string;
}

export function buildProvenance({ ci, finishedOn, berthVersion }: ProvenanceInput): ProvenanceV1 {
  const externalParameters =
    ci.platform === "github-actions"
      ? { workflow: defined({ ref: ci.ref, repository: ci.repository, path: ci.workflow }) }
      : defined({ repository: ci.repository, ref: ci.ref, pipeline: ci.workflow || ci.workflowName ? defined({ definition: ci.workflow, name: ci.workflowName }) : undefined });
  const internalKey = { "github-actions": "github", "azure-pipelines": "azurePipelines", "gitlab-ci": "gitlab", local: "local" }[ci.platform];
  const internalParameters = { [internalKey]: defined({ ...ci.details, trigger: ci.trigger, actor: ci.actor, runId: ci.runId }) };
  const metadata = defined({
    invocationId: ci.runUrl ?? (ci.runId ? `${ci.platform}:${ci.runId}` : undefined),
    startedOn: ci.startedOn && !Number.isNaN(Date.parse(ci.startedOn)) ? new Date(ci.startedOn).toISOString().replace(/\.000Z$/, "Z") : undefined,
    finishedOn: finishedOn.toISOString().replace(/\.000Z$/, "Z"),
  });
  return {
    buildDefinition: {
      buildType: BuildType[ci.platform],
      externalParameters,
      internalParameters,
      resolvedDependencies: sourceDependency(ci),
    },
    runDetails: {
      builder: { id: ci.builderId, version: { berth: berthVersion } },
      metadata,
    },
  };
}
