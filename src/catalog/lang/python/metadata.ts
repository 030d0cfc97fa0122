// Core metadata of an installed Python distribution (METADATA in a .dist-info, PKG-INFO in an
// .egg-info): RFC 822-style "Key: value" headers, continuation lines starting with whitespace, the
// description after the first blank line (packaging.python.org "Core metadata specifications").
// Only the headers are read; the body is never scanned.
import { BerthError } from "../../../util/errors.js";

/** Most header lines read from one file (real files have tens to a few hundred). */
const MAX_HEADER_LINES = 20_000;
/** Longest License field kept as a licence name; longer ones are licence texts, not names. */
const MAX_LICENSE_NAME = 120;

export type Headers = ReadonlyMap<string, readonly string[]>;

/** Header name (lower-cased) → values in file order. */
export function parseHeaders(text: string): Headers {
  const out = new Map<string, string[]>();
  let key: string | undefined;
  let lines = 0;
  let start = 0;
  while (start <= text.length) {
    if (++lines > MAX_HEADER_LINES) throw new BerthError("limit", `more than ${MAX_HEADER_LINES} metadata header lines`);
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, "");
    start = end + 1;
    if (line === "") break; // end of headers: the rest is the description
    if (line.startsWith(" ") || line.startsWith("\t")) {
      const vals = key ? out.get(key) : undefined;
      if (vals?.length) vals[vals.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      key = undefined;
      continue;
    }
    key = line.slice(0, colon).trim().toLowerCase();
    const vals = out.get(key) ?? [];
    vals.push(line.slice(colon + 1).trim());
    out.set(key, vals);
    if (end >= text.length) break;
  }
  return out;
}

export function first(h: Headers, key: string): string | undefined {
  return h.get(key)?.[0];
}

// Trove classifiers whose licence is unambiguous, as SPDX identifiers. Others ("BSD License",
// "Apache Software License") name a family, not a licence, and are kept as written.
const CLASSIFIER_SPDX: Readonly<Record<string, string>> = {
  "MIT License": "MIT",
  "MIT No Attribution License (MIT-0)": "MIT-0",
  "ISC License (ISCL)": "ISC",
  "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
  "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
  "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
  "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
  "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
  "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
  "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
  "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
  "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
  "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
  "GNU Affero General Public License v3": "AGPL-3.0-only",
  "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
  "Python Software Foundation License": "PSF-2.0",
  "The Unlicense (Unlicense)": "Unlicense",
  "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
  "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
  "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
  "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
  "Universal Permissive License (UPL)": "UPL-1.0",
  "Zero-Clause BSD (0BSD)": "0BSD",
};

/**
 * Licences of a distribution, most precise source first:
 *  1. License-Expression (core metadata 2.4, an SPDX expression) — alone when present;
 *  2. else the licences named by "License ::" classifiers that map to one SPDX identifier;
 *  3. else the License field, when it is one short line naming a licence (not a licence text, not
 *     "UNKNOWN");
 *  4. else the remaining classifiers' last segment as written ("BSD License").
 */
export function licensesOf(h: Headers): string[] {
  const expr = first(h, "license-expression")?.trim();
  if (expr) return [expr];
  const classifiers = (h.get("classifier") ?? [])
    .filter((c) => c.startsWith("License ::"))
    .map((c) => c.split("::").map((s) => s.trim()).filter(Boolean).slice(-1)[0] ?? "")
    .filter((c) => c !== "" && c !== "OSI Approved" && c !== "License");
  const mapped = [...new Set(classifiers.map((c) => CLASSIFIER_SPDX[c]).filter((c): c is string => !!c))];
  if (mapped.length) return mapped;
  const field = first(h, "license")?.trim();
  if (field && !field.includes("\n") && field.length <= MAX_LICENSE_NAME && !/^unknown$/i.test(field)) return [field];
  return [...new Set(classifiers)];
}
