#!/usr/bin/env bash
# Installs the real components the test suite uses, from Debian's packages, when missing.
# Idempotent and quick when everything is present. Needs root (CI runs as root).
set -euo pipefail
pkgs=(
  docker-registry   # CNCF Distribution 2.8: the real OCI registry tests push to
  skopeo            # copies images between registry, OCI layout and archives
  umoci             # builds OCI images from a rootfs without a daemon
  debootstrap       # a real Debian 12 rootfs for the test image
  rpm               # real rpmdb.sqlite databases and rpm's version comparison
  ruby              # Gem::Version, the reference for RubyGems ordering
  php-cli php-composer-semver   # Composer's semver, the reference for Packagist ordering
  composer          # `composer show`/`licenses`, the truth for the Composer catalogers
  maven             # maven-artifact's ComparableVersion, the reference for Maven ordering
  default-jdk-headless          # javac for the small ComparableVersion driver; jar for test archives
  golang-go golang-golang-x-mod-dev   # x/mod/semver (Go ordering) and `go version -m` (Go binaries)
  openssl           # certificates for the registry's token auth in tests
  apache2-utils     # htpasswd (bcrypt) for the registry's basic auth in tests
  zstd              # zstd-compressed layers and DB bundles in tests
  unzip zip         # the truth for jar contents; building nested test archives
  binutils          # objcopy: the cargo-auditable test binary's .dep-v0 section
  git
  postgresql        # the server's store runs its suite on a real PostgreSQL too
  chromium          # the real browser the web UI's end-to-end tests drive (playwright-core, executablePath)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-test-env: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup-test-env: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
