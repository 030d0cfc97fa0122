// The Go standard library's debug/elf, debug/macho and debug/pe as an independent reader of the
// same files: a small Go program (compiled once with the Debian golang-go toolchain, cached) that
// prints every section's name, segment, file offset, size and address as JSON.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testCacheRoot } from "../../../../../test/support/debian-image.js";
import { tool } from "./testkit.js";

const SOURCE = `package main

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"fmt"
	"os"
)

type S struct {
	Name   string
	Seg    string
	Offset uint64
	Size   uint64
	Addr   uint64
}

func main() {
	out := map[string][]S{}
	for _, f := range os.Args[1:] {
		ss := []S{}
		if e, err := elf.Open(f); err == nil {
			for _, s := range e.Sections {
				if s.Type == elf.SHT_NULL {
					continue
				}
				if s.Type == elf.SHT_NOBITS {
					ss = append(ss, S{Name: s.Name, Addr: s.Addr})
					continue
				}
				ss = append(ss, S{s.Name, "", s.Offset, s.FileSize, s.Addr})
			}
		} else if m, err := macho.Open(f); err == nil {
			for _, s := range m.Sections {
				ss = append(ss, S{s.Name, s.Seg, uint64(s.Offset), s.Size, s.Addr})
			}
		} else if p, err := pe.Open(f); err == nil {
			var base uint64
			switch oh := p.OptionalHeader.(type) {
			case *pe.OptionalHeader64:
				base = oh.ImageBase
			case *pe.OptionalHeader32:
				base = uint64(oh.ImageBase)
			}
			for _, s := range p.Sections {
				size := uint64(s.Size)
				if s.VirtualSize > 0 && uint64(s.VirtualSize) < size {
					size = uint64(s.VirtualSize)
				}
				ss = append(ss, S{s.Name, "", uint64(s.Offset), size, base + uint64(s.VirtualAddress)})
			}
		} else {
			fmt.Fprintln(os.Stderr, "not an executable Go can read:", f)
			os.Exit(1)
		}
		out[f] = ss
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

export interface OracleSection {
  readonly Name: string;
  readonly Seg: string;
  readonly Offset: number;
  readonly Size: number;
  readonly Addr: number;
}

function oracleBinary(): string {
  const dir = join(testCacheRoot(), "go-sections-oracle-v2");
  const bin = join(dir, "sections");
  if (existsSync(bin)) return bin;
  const work = `${dir}.tmp-${process.pid}`;
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "main.go"), SOURCE);
  writeFileSync(join(work, "go.mod"), "module oracle\n\ngo 1.19\n");
  tool("go", ["build", "-o", "sections", "."], { aptPackage: "golang-go", cwd: work, env: { ...process.env, GOFLAGS: "-mod=mod", GOPROXY: "off", GOCACHE: join(testCacheRoot(), "go-build-cache") } });
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // built by a parallel test process meanwhile
  }
  return bin;
}

/** Sections of each file as Go's debug/* packages read them. */
export function goSections(files: readonly string[]): Record<string, OracleSection[]> {
  return JSON.parse(tool(oracleBinary(), files, { aptPackage: "golang-go" }).stdout) as Record<string, OracleSection[]>;
}
