// Names of the files a workspace commits under `.custodian/` (`team/<name>.pub`, `mfa/<name>.otpauth.enc`):
// chosen by people, so checked to be safe on every OS (no separators, no leading dot) and readable in a diff.
// Pure: no vscode.

/** Why `name` cannot name a `.custodian/` file, or undefined when it can. */
export function validateEntryName(name: string): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/.test(name)) {
    return 'Use 1–64 letters, digits, ".", "_", "@", "+" or "-", starting with a letter or digit.';
  }
  return undefined;
}

/** `name` trimmed, and without `ext` (any case) when it ends with it: `alice.pub` → `alice`. */
export function stripExtension(name: string, ext: string): string {
  const trimmed = name.trim();
  return trimmed.toLowerCase().endsWith(ext.toLowerCase()) ? trimmed.slice(0, -ext.length) : trimmed;
}
