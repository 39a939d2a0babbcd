// Structured files with secrets in the places people keep them (compose files, Kubernetes secrets,
// package configs, .env, TOML), and the real parser for each (TOML: Python 3.11's tomllib). Invented
// but shaped like files in the wild. `secrets` are the exact texts a user selects before Encrypt
// Selection; each occurs once.
import * as yaml from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { parseEnv } from 'node:util';

export interface StructuredFixture {
  name: string;
  fileName: string;
  text: string;
  secrets: string[];
  parse: (text: string) => unknown;
}

function parseToml(text: string): unknown {
  const script = 'import sys, json, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: text, encoding: 'utf8' }));
}

const COMPOSE_YAML = `# docker compose file for the staging stack
version: "3.9"
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: pl41n-v4lue-19chars
      REPLICATION_KEY: 'single-quoted-s3cret'
      BACKUP_TOKEN: "double-quoted-s3cret"
  api:
    secrets:
      - list-item-s3cret-0001
      - "quoted-list-item-s3cret"
    config: {apiKey: flow-map-s3cret, region: eu-west-1}
deep:
  level2:
    level3:
      level4:
        token: deep-s3cret-value # rotated monthly
`;

const K8S_SECRET_YAML = `apiVersion: v1
kind: Secret
metadata:
  name: app-secrets
  namespace: prod
type: Opaque
stringData:
  password: hunter2-secret
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7
    -----END PRIVATE KEY-----
  note: plain text
`;

const PACKAGE_JSON = `{
  "name": "billing-service",
  "config": {
    "database": {
      "host": "db.internal",
      "password": "json-s3cret-value"
    },
    "apiKeys": ["first-json-key", "second-json-key"],
    "escaped": "with \\"quote\\" inside"
  }
}
`;

const DOTENV = `# Database
DATABASE_URL=postgres://app:url-s3cret@db.internal:5432/app
API_KEY=env-plain-s3cret
QUOTED="env-double-s3cret"
SINGLE='env-single-s3cret'
export EXPORTED=exported-s3cret
`;

const CARGO_STYLE_TOML = `[database]
user = "app"
password = "toml-basic-s3cret"
literal = 'toml-literal-s3cret'

[[servers]]
name = "alpha"
token = "toml-array-s3cret"
`;

export const STRUCTURED_FIXTURES: readonly StructuredFixture[] = [
  {
    name: 'compose.yaml',
    fileName: 'compose.yaml',
    text: COMPOSE_YAML,
    secrets: [
      'pl41n-v4lue-19chars',
      'single-quoted-s3cret',
      '"double-quoted-s3cret"',
      'list-item-s3cret-0001',
      'quoted-list-item-s3cret',
      'flow-map-s3cret',
      'deep-s3cret-value',
    ],
    parse: (t) => yaml.load(t),
  },
  {
    name: 'secret.yaml (a value and a block scalar)',
    fileName: 'secret.yaml',
    text: K8S_SECRET_YAML,
    secrets: ['hunter2-secret', '    -----BEGIN PRIVATE KEY-----\n    MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n    -----END PRIVATE KEY-----\n'],
    parse: (t) => yaml.load(t),
  },
  {
    name: 'config.json',
    fileName: 'config.json',
    text: PACKAGE_JSON,
    secrets: ['json-s3cret-value', '"first-json-key"', 'with \\"quote\\" inside'],
    parse: (t) => JSON.parse(t),
  },
  {
    name: '.env (CRLF)',
    fileName: 'app.env',
    text: DOTENV.replace(/\n/g, '\r\n'),
    secrets: ['url-s3cret', 'env-plain-s3cret', 'env-double-s3cret', "'env-single-s3cret'", 'exported-s3cret'],
    parse: (t) => parseEnv(t),
  },
  {
    name: 'settings.toml',
    fileName: 'settings.toml',
    text: CARGO_STYLE_TOML,
    secrets: ['toml-basic-s3cret', "'toml-literal-s3cret'", 'toml-array-s3cret'],
    parse: parseToml,
  },
];

/** The first offset of `needle` in `text`, asserting it occurs exactly once. */
export function uniqueOffset(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0 || text.indexOf(needle, at + 1) >= 0) throw new Error(`fixture: ${JSON.stringify(needle)} must occur exactly once`);
  return at;
}

const ENCRYPTED_RE = /custodian-enc1\.[A-Za-z0-9_-]+|-----BEGIN CUSTODIAN ENCRYPTED FILE-----[\s\S]*?-----END CUSTODIAN ENCRYPTED FILE-----/;

/**
 * Asserts `encrypted` has the shape of `original` (same keys, array lengths and types), every
 * string that changed now holds encrypted text, and no secret is left. Returns a description of the
 * first difference, or undefined.
 */
export function shapeDifference(original: unknown, encrypted: unknown, where = '$'): string | undefined {
  if (typeof original === 'string') {
    if (typeof encrypted !== 'string') return `${where}: was a string, now ${JSON.stringify(encrypted)}`;
    if (original !== encrypted && !ENCRYPTED_RE.test(encrypted)) return `${where}: ${JSON.stringify(original)} became ${JSON.stringify(encrypted)}`;
    return undefined;
  }
  if (Array.isArray(original)) {
    if (!Array.isArray(encrypted) || encrypted.length !== original.length) return `${where}: array changed to ${JSON.stringify(encrypted)}`;
    for (let i = 0; i < original.length; i++) {
      const d = shapeDifference(original[i], encrypted[i], `${where}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (original && typeof original === 'object') {
    if (!encrypted || typeof encrypted !== 'object' || Array.isArray(encrypted)) return `${where}: object changed to ${JSON.stringify(encrypted)}`;
    const a = Object.keys(original).sort();
    const b = Object.keys(encrypted).sort();
    if (a.join('\0') !== b.join('\0')) return `${where}: keys ${JSON.stringify(a)} became ${JSON.stringify(b)}`;
    for (const k of a) {
      const d = shapeDifference((original as Record<string, unknown>)[k], (encrypted as Record<string, unknown>)[k], `${where}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(original, encrypted) ? undefined : `${where}: ${JSON.stringify(original)} became ${JSON.stringify(encrypted)}`;
}
