#!/usr/bin/env bash
# Regenerates hello-auditable (a real cargo-built binary with a .dep-v0 section added), Cargo.lock
# and cargo-metadata.json from project/. Needs cargo/rustc (offline: only path dependencies),
# node, and objcopy (binutils). Run from this directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/project"
cargo build --release --offline -q
cargo metadata --format-version 1 --offline > "$here/cargo-metadata.json"
cp Cargo.lock "$here/Cargo.lock"
node "$here/dep-v0-from-metadata.mjs" < "$here/cargo-metadata.json" > "$here/dep-v0.json"
node -e 'const z=require("zlib"),fs=require("fs");fs.writeFileSync(process.argv[2],z.deflateSync(fs.readFileSync(process.argv[1])))' "$here/dep-v0.json" "$here/dep-v0.zlib"
objcopy --add-section .dep-v0="$here/dep-v0.zlib" --set-section-flags .dep-v0=noload,readonly target/release/hello-auditable "$here/hello-auditable"
objcopy --dump-section .dep-v0=/dev/stdout "$here/hello-auditable" | cmp - "$here/dep-v0.zlib"
rm -rf target "$here/dep-v0.zlib"
cargo --version > "$here/toolchain.txt"; rustc --version >> "$here/toolchain.txt"; objcopy --version | head -1 >> "$here/toolchain.txt"
