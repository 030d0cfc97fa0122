// WWW-Authenticate challenges (RFC 7235): `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`,
// possibly several in one header. Pure parsing; the auth flow lives in auth.ts.

export interface Challenge {
  /** Lowercased scheme: "bearer", "basic", … */
  readonly scheme: string;
  /** Parameters with lowercased names. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHARS = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** Parses a WWW-Authenticate header value into its challenges; malformed parts are skipped. */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = (): void => {
    while (i < n && (header[i] === " " || header[i] === "\t")) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TOKEN_CHARS.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    // at the opening quote
    i++;
    let v = "";
    while (i < n && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < n) i++;
      v += header[i];
      i++;
    }
    i++; // closing quote (or end)
    return v;
  };

  while (i < n) {
    skipSpace();
    if (header[i] === ",") {
      i++;
      continue;
    }
    const token = readToken();
    if (token === "") {
      i++; // skip a stray character
      continue;
    }
    skipSpace();
    const current = out[out.length - 1];
    if (header[i] === "=" && current) {
      // an auth-param of the current challenge (token68 values are not used by registries)
      i++;
      skipSpace();
      const value = header[i] === '"' ? readQuoted() : readToken();
      current.params[token.toLowerCase()] = value;
      continue;
    }
    out.push({ scheme: token.toLowerCase(), params: {} });
    // "Bearer realm=…": the first param follows the scheme without a comma
  }
  return out;
}
