// Where a build ran, read from the CI system's environment variables: GitHub Actions, Azure
// Pipelines and GitLab CI (or the local machine with --local). Pure over the env given.

export type CiPlatform = "github-actions" | "azure-pipelines" | "gitlab-ci" | "local";

export interface CiContext {
  readonly platform: CiPlatform;
  /** Source repository URL, e.g. https://github.com/org/repo. */
  readonly repository?: string;
  readonly commit?: string;
  /** Git ref built, e.g. refs/heads/main. */
  readonly ref?: string;
  /** Workflow file (GitHub), pipeline definition (Azure) or CI config path (GitLab). */
  readonly workflow?: string;
  /** Human name of the workflow / pipeline. */
  readonly workflowName?: string;
  readonly runId?: string;
  readonly runAttempt?: string;
  readonly runUrl?: string;
  /** SLSA builder.id: the platform that ran the build (overridable with BERTH_BUILDER_ID). */
  readonly builderId: string;
  /** What started the run: push, pull_request, schedule, IndividualCI, merge_request_event, … */
  readonly trigger?: string;
  /** Who started it. */
  readonly actor?: string;
  readonly startedOn?: string;
  /** Platform-specific details kept in the provenance's internalParameters. */
  readonly details: Readonly<Record<string, string>>;
}

type Env = Readonly<Record<string, string | undefined>>;

function v(env: Env, name: string): string | undefined {
  const x = env[name];
  return x === undefined || x === "" ? undefined : x;
}

function pick(env: Env, names: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(names)) {
    const x = v(env, name);
    if (x !== undefined) out[key] = x;
  }
  return out;
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}

function github(env: Env): CiContext {
  const server = (v(env, "GITHUB_SERVER_URL") ?? "https://github.com").replace(/\/+$/, "");
  const repo = v(env, "GITHUB_REPOSITORY");
  const runId = v(env, "GITHUB_RUN_ID");
  const attempt = v(env, "GITHUB_RUN_ATTEMPT");
  // GITHUB_WORKFLOW_REF: "org/repo/.github/workflows/build.yml@refs/heads/main"
  const wref = v(env, "GITHUB_WORKFLOW_REF");
  const workflow = wref && repo && wref.startsWith(`${repo}/`) ? wref.slice(repo.length + 1).replace(/@.*$/, "") : undefined;
  return defined({
    platform: "github-actions" as const,
    repository: repo ? `${server}/${repo}` : undefined,
    commit: v(env, "GITHUB_SHA"),
    ref: v(env, "GITHUB_REF"),
    workflow,
    workflowName: v(env, "GITHUB_WORKFLOW"),
    runId,
    runAttempt: attempt,
    runUrl: repo && runId ? `${server}/${repo}/actions/runs/${runId}${attempt ? `/attempts/${attempt}` : ""}` : undefined,
    builderId: v(env, "BERTH_BUILDER_ID") ?? `${server === "https://github.com" ? "https://github.com" : server}/actions/runner/${v(env, "RUNNER_ENVIRONMENT") ?? "github-hosted"}`,
    trigger: v(env, "GITHUB_EVENT_NAME"),
    actor: v(env, "GITHUB_ACTOR"),
    details: pick(env, {
      event_name: "GITHUB_EVENT_NAME",
      repository_id: "GITHUB_REPOSITORY_ID",
      repository_owner_id: "GITHUB_REPOSITORY_OWNER_ID",
      runner_environment: "RUNNER_ENVIRONMENT",
      workflow_ref: "GITHUB_WORKFLOW_REF",
      workflow_sha: "GITHUB_WORKFLOW_SHA",
      actor: "GITHUB_ACTOR",
      actor_id: "GITHUB_ACTOR_ID",
    }),
  });
}

function azure(env: Env): CiContext {
  const collection = v(env, "SYSTEM_COLLECTIONURI");
  const project = v(env, "SYSTEM_TEAMPROJECT");
  const buildId = v(env, "BUILD_BUILDID");
  const base = collection ? `${collection.replace(/\/*$/, "/")}${project ? `${encodeURIComponent(project)}/` : ""}` : undefined;
  return defined({
    platform: "azure-pipelines" as const,
    repository: v(env, "BUILD_REPOSITORY_URI"),
    commit: v(env, "BUILD_SOURCEVERSION"),
    ref: v(env, "BUILD_SOURCEBRANCH"),
    workflow: v(env, "SYSTEM_DEFINITIONID") && base ? `${base}_build?definitionId=${v(env, "SYSTEM_DEFINITIONID")}` : undefined,
    workflowName: v(env, "BUILD_DEFINITIONNAME"),
    runId: buildId,
    runAttempt: v(env, "SYSTEM_JOBATTEMPT"),
    runUrl: base && buildId ? `${base}_build/results?buildId=${buildId}` : undefined,
    builderId: v(env, "BERTH_BUILDER_ID") ?? (collection ? collection.replace(/\/*$/, "/") : "https://dev.azure.com/"),
    trigger: v(env, "BUILD_REASON"),
    actor: v(env, "BUILD_REQUESTEDFOR"),
    details: pick(env, {
      reason: "BUILD_REASON",
      requestedFor: "BUILD_REQUESTEDFOR",
      requestedForEmail: "BUILD_REQUESTEDFOREMAIL",
      definitionId: "SYSTEM_DEFINITIONID",
      teamProject: "SYSTEM_TEAMPROJECT",
      agentName: "AGENT_NAME",
      agentOS: "AGENT_OS",
      repositoryName: "BUILD_REPOSITORY_NAME",
    }),
  });
}

function gitlab(env: Env): CiContext {
  const server = (v(env, "CI_SERVER_URL") ?? "https://gitlab.com").replace(/\/+$/, "");
  const projectPath = v(env, "CI_PROJECT_PATH");
  const runner = v(env, "CI_RUNNER_ID");
  const refName = v(env, "CI_COMMIT_REF_NAME");
  const isTag = v(env, "CI_COMMIT_TAG") !== undefined;
  return defined({
    platform: "gitlab-ci" as const,
    repository: v(env, "CI_PROJECT_URL") ?? (projectPath ? `${server}/${projectPath}` : undefined),
    commit: v(env, "CI_COMMIT_SHA"),
    ref: refName ? (refName.startsWith("refs/") ? refName : `refs/${isTag ? "tags" : "heads"}/${refName}`) : undefined,
    workflow: v(env, "CI_CONFIG_PATH") ?? ".gitlab-ci.yml",
    workflowName: v(env, "CI_PIPELINE_NAME") ?? v(env, "CI_JOB_NAME"),
    runId: v(env, "CI_PIPELINE_ID"),
    runUrl: v(env, "CI_JOB_URL") ?? v(env, "CI_PIPELINE_URL"),
    builderId: v(env, "BERTH_BUILDER_ID") ?? (projectPath && runner ? `${server}/${projectPath}/-/runners/${runner}` : `${server}/-/runners`),
    trigger: v(env, "CI_PIPELINE_SOURCE"),
    actor: v(env, "GITLAB_USER_LOGIN"),
    startedOn: v(env, "CI_JOB_STARTED_AT") ?? v(env, "CI_PIPELINE_CREATED_AT"),
    details: pick(env, {
      pipelineSource: "CI_PIPELINE_SOURCE",
      pipelineId: "CI_PIPELINE_ID",
      jobId: "CI_JOB_ID",
      jobName: "CI_JOB_NAME",
      projectId: "CI_PROJECT_ID",
      runnerId: "CI_RUNNER_ID",
      runnerDescription: "CI_RUNNER_DESCRIPTION",
      user: "GITLAB_USER_LOGIN",
    }),
  });
}

/** The CI system this process runs in, or undefined outside the three known ones. */
export function detectCi(env: Env): CiContext | undefined {
  if (env.GITHUB_ACTIONS === "true") return github(env);
  if (env.TF_BUILD !== undefined && env.TF_BUILD.toLowerCase() === "true") return azure(env);
  if (env.GITLAB_CI === "true") return gitlab(env);
  return undefined;
}

export interface LocalGit {
  readonly remote?: string;
  readonly commit?: string;
  readonly ref?: string;
}

/** A git remote as a URI (credentials dropped): scp-like "git@host:org/repo.git" → "ssh://git@host/org/repo.git", a path → file://. */
export function remoteUri(remote: string): string {
  // never record credentials embedded in an http(s) remote ("https://token@host/…")
  if (/^https?:\/\//i.test(remote)) return remote.replace(/^(https?:\/\/)[^@/]*@/i, "$1");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  const scp = /^([^@/:]+@)?([^/:]+):(.+)$/.exec(remote);
  if (scp) return `ssh://${scp[1] ?? ""}${scp[2]}/${scp[3]!.replace(/^\/+/, "")}`;
  return `file://${remote.startsWith("/") ? "" : "/"}${remote}`;
}

export const LOCAL_BUILDER_ID = "https://berth.dev/builders/local/v1";

/** A build on this machine (`--local`): what git says about the working tree, and who ran it. */
export function localContext(git: LocalGit, env: Env, host: { hostname: string; user?: string }): CiContext {
  return defined({
    platform: "local" as const,
    repository: git.remote ? remoteUri(git.remote) : undefined,
    commit: git.commit,
    ref: git.ref,
    builderId: v(env, "BERTH_BUILDER_ID") ?? LOCAL_BUILDER_ID,
    actor: host.user,
    trigger: "manual",
    details: defined({ hostname: host.hostname, user: host.user }) as Record<string, string>,
  });
}
