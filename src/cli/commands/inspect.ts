// custodian inspect: what a `.enc` file's header says (recipients, signer, sizes), without any key.
import { displayText } from '../../core/display-text';
import { encodePem } from '../../core/pem';
import { inspectEnvelope } from '../../core/envelope';
import { type Command } from '../command';
import { openInput } from '../io';
import { loadRoster } from '../key-files';
import * as path from 'node:path';

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show a .enc file\'s recipients, signer and sizes (no key needed)',
  options: {
    roster: { type: 'string', short: 'R', multiple: true },
    json: { type: 'boolean' },
  },
  help: `Usage: custodian inspect [-R ROSTER-DIR]… [--json] [FILE]

Reads the header of a Custodian encrypted file (binary or armored; standard input when FILE is
absent or "-") and prints its recipients' fingerprints, the signer named in the header and the
sizes. No key is needed and nothing is decrypted or verified: the signer shown is the one the
header claims, and the payload and plaintext sizes are computed from the file's length, so bytes
appended to the file count too; only "custodian decrypt" checks the signature and the payload.

Flags:
  -R, --roster DIR        label fingerprints with the names of matching DIR/*.pub files
      --json              print a JSON object instead of text

Examples:
  custodian inspect secrets.env.enc
  custodian inspect -R .custodian/team --json secrets.env.enc
`,
  async run(args, ctx) {
    args.expectPositionals(0, 1, '');
    const names = new Map<string, string>();
    for (const dir of args.strings('roster')) {
      for (const { file, key } of await loadRoster(dir)) {
        const label = displayText(path.basename(file, '.pub') + (key.comment ? ` (${key.comment})` : ''));
        if (!names.has(key.fingerprint)) names.set(key.fingerprint, label);
      }
    }
    const input = await openInput(args.positionals[0], ctx.io);
    const info = await inspectEnvelope(input.chunks);
    if (args.flag('json')) {
      const json = {
        version: info.version,
        recipients: info.recipients.map((fingerprint) => ({ fingerprint, ...(names.has(fingerprint) ? { name: names.get(fingerprint) } : {}) })),
        signer: info.signer
          ? { fingerprint: info.signer.fingerprint, ...(names.has(info.signer.fingerprint) ? { name: names.get(info.signer.fingerprint) } : {}), publicKeyPem: encodePem('PUBLIC KEY', info.signer.spkiDer) }
          : null,
        chunkSize: info.chunkSize,
        headerSize: info.headerSize,
        payloadSize: info.payloadSize ?? null,
        plaintextSize: info.plaintextSize ?? null,
        // Computed from the file's length: nothing here is authenticated without a key.
        sizesAuthenticated: false,
      };
      ctx.print(JSON.stringify(json, null, 2));
      return;
    }
    const label = (fp: string): string => (names.has(fp) ? `${fp}  ${names.get(fp)}` : fp);
    ctx.print(`${displayText(input.name)}: Custodian encrypted file, format version ${info.version}`);
    ctx.print(`recipients (${info.recipients.length}):`);
    for (const fp of info.recipients) ctx.print(`  ${label(fp)}`);
    ctx.print(`signer: ${info.signer ? `${label(info.signer.fingerprint)}  (claimed by the header; decrypt verifies it)` : 'none (not signed)'}`);
    ctx.print(`header: ${info.headerSize} bytes, chunk size ${info.chunkSize} bytes`);
    const unverified = '(from the file\'s length, not authenticated; decrypt verifies it)';
    if (info.payloadSize !== undefined) ctx.print(`payload: ${info.payloadSize} bytes ${unverified}`);
    if (info.plaintextSize !== undefined) ctx.print(`plaintext: ${info.plaintextSize} bytes ${unverified}`);
  },
};
