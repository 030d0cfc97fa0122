// A cluster name as Berth records it: a URL path segment and a CLI flag value. Its own module so the
// CLI can check names without loading the Kubernetes client.
export const CLUSTER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export const CLUSTER_NAME_RULE = 'letters, digits, ".", "_", "-"; at most 63 characters, starting with a letter or digit';
