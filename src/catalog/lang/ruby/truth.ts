// Truth for the Ruby tests, from Ruby itself (Debian's `ruby` package): rubygems loads trusted
// gemspecs, Bundler parses lockfiles. Never run on the hostile fixtures.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTool } from "../python/testkit.js";

export interface RubySpec {
  file: string;
  name: string;
  version: string;
  platform: string;
  licenses: string[];
  runtime: string[];
}

const LOAD = `
require "json"
out = ARGV.map do |f|
  s = Gem::Specification.load(f)
  { file: f, name: s.name, version: s.version.to_s, platform: s.platform.to_s, licenses: s.licenses, runtime: s.runtime_dependencies.map(&:name) }
end
puts JSON.generate(out)
`;

export function loadGemspecs(files: readonly string[]): RubySpec[] {
  return JSON.parse(runTool("ruby", ["-e", LOAD, ...files])) as RubySpec[];
}

export interface BundlerLock {
  specs: { name: string; version: string; platform: string; source: string; deps: string[] }[];
  dependencies: string[];
}

const LOCK = `
require "json"
require "bundler"
p = Bundler::LockfileParser.new(File.read(ARGV[0]))
specs = p.specs.map do |s|
  { name: s.name, version: s.version.to_s, platform: s.platform.to_s, source: s.source.class.name.split("::").last, deps: s.dependencies.map(&:name) }
end
puts JSON.generate({ specs: specs, dependencies: p.dependencies.keys })
`;

export function bundlerParse(lockfile: string): BundlerLock {
  // Bundler wants a Gemfile to anchor relative PATH sources: an empty one in a scratch directory.
  const dir = mkdtempSync(join(tmpdir(), "berth-bundler-"));
  try {
    writeFileSync(join(dir, "Gemfile"), "");
    const env = { ...process.env, BUNDLE_GEMFILE: join(dir, "Gemfile"), BUNDLE_USER_HOME: join(dir, "home") };
    return JSON.parse(runTool("ruby", ["-e", LOCK, lockfile], { cwd: dir, env })) as BundlerLock;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The bundler executable of Debian's ruby (bundle3.1) or a plain `bundle`. */
export function bundleCommand(): string {
  for (const c of ["bundle", "bundle3.1", "bundle3.2", "bundle3.3"]) {
    try {
      runTool(c, ["--version"]);
      return c;
    } catch {
      // try the next name
    }
  }
  throw new Error("bundler is required by this test (Debian's ruby package ships it as bundle3.x); not found on PATH");
}
