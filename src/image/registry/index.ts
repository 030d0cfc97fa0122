// The registry image source and its OCI Distribution v2 client.
export { parseReference, formatReference, repositoryName, isDockerHub, DOCKER_HUB_REGISTRY } from "./reference.js";
export type { ImageReference } from "./reference.js";
export { openRegistryImage } from "./image.js";
export type { RegistryImageOptions, RegistryImageSource } from "./image.js";
export { RegistryClient } from "./client.js";
export type { RegistryAuth, RegistryClientOptions, FetchedManifest, ManifestHead, BlobRef } from "./client.js";
export { dockerCredentials, dockerConfigPath, runCredentialHelper } from "./credentials.js";
export type { Credential, CredentialLookupOptions } from "./credentials.js";
export { defaultRetryPolicy } from "./http.js";
export type { RetryPolicy, Log } from "./http.js";
