// POST /api/v1/events/registry: registry notifications in any of the three formats
// (ingest/registry-notification.ts tells them apart), authenticated by the registry secret, an
// HMAC signature over the raw body, or an API token (auth/hmac.ts). Registered in its own Fastify
// scope so that its JSON parsers can keep the raw bytes the signature covers, within the body limit.
import type { FastifyInstance } from "fastify";
import type { Repositories } from "../../store/index.js";
import { requireWebhookAuth } from "../auth/hmac.js";
import { principalName } from "../auth/tokens.js";
import { DISTRIBUTION_EVENTS_MEDIA_TYPE } from "../ingest/distribution.js";
import { CLOUDEVENTS_MEDIA_TYPE } from "../ingest/harbor.js";
import { parseRegistryNotification } from "../ingest/registry-notification.js";
import { ingestRegistryEvents } from "../ingest/registry-events.js";
import type { Metrics } from "../metrics.js";

export const REGISTRY_EVENTS_ROUTE = "/api/v1/events/registry";

export interface RegistryEventRouteDeps {
  readonly repos: Repositories;
  readonly now: () => Date;
  readonly bodyLimit: number;
  readonly registrySecret?: string;
  readonly hmacSecret?: string;
  readonly onEnqueued?: () => void;
  /** Counts the events received, by format and action. */
  readonly metrics?: Pick<Metrics, "registryEvents">;
}

const JSON_MEDIA_TYPES = ["application/json", DISTRIBUTION_EVENTS_MEDIA_TYPE, CLOUDEVENTS_MEDIA_TYPE];

export function registerRegistryEventRoutes(app: FastifyInstance, deps: RegistryEventRouteDeps): void {
  const { repos, now } = deps;
  void app.register(async (scope) => {
    // The default JSON parser (prototype-poisoning protection on) over the bytes, which are kept.
    const json = scope.getDefaultJsonParser("error", "error");
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser(JSON_MEDIA_TYPES, { parseAs: "buffer", bodyLimit: deps.bodyLimit }, (req, body, done) => {
      const raw = body as Buffer;
      req.rawBody = raw;
      json(req, raw.toString("utf8"), done);
    });

    scope.post(
      REGISTRY_EVENTS_ROUTE,
      {
        preHandler: requireWebhookAuth(repos, {
          roles: ["admin", "ingest"],
          ...(deps.registrySecret ? { registrySecret: deps.registrySecret } : {}),
          ...(deps.hmacSecret ? { hmacSecret: deps.hmacSecret } : {}),
        }),
      },
      async (req) => {
        const { source, events, skipped } = parseRegistryNotification(req.body);
        deps.metrics?.registryEvents(source, events.map((e) => e.action), skipped);
        const outcome = await ingestRegistryEvents(repos, events, now());
        const result = { ...outcome, ignored: outcome.ignored + skipped };
        if (outcome.accepted > 0) {
          await repos.audit.record({ actor: principalName(req.principal), action: "registry.events", detail: { source, ...result } }, now());
        }
        if (outcome.enqueued > 0) deps.onEnqueued?.();
        return result;
      },
    );
  });
}
