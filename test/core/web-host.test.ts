// "src/core runs in the extension host, a web host and the CLI" (docs/ARCHITECTURE.md), tried in a web
// host: the core is bundled as VS Code for the Web would load it (esbuild, platform "browser", so a Node
// built-in reached from the core or one of its libraries fails the build) and run in headless Chromium
// with its own WebCrypto. It must open a known-answer .enc vector, round-trip a file and a YAML document's
// values, split and combine a secret, and give RFC 6238's code.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import type { WebHostInput, WebHostOutput } from './web-host.entry';

interface Core {
  run(input: WebHostInput): Promise<WebHostOutput>;
  runWithoutWebCrypto(input: WebHostInput): Promise<{ name: string; message: string; hint?: string }>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { launchChromium } = require('../../scripts/lib/browser') as { launchChromium: () => Promise<Browser> };

const VECTORS = join(__dirname, '..', 'vectors');

describe('the core in a web host (headless Chromium, WebCrypto)', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  after(async () => {
    await browser?.close();
  });

  it('bundles for the browser without Node built-ins, opens a known .enc vector, round-trips a file, a YAML file\'s values and Shamir shares, and gives RFC 6238\'s TOTP code', async () => {
    const bundle = await build({
      entryPoints: [join(__dirname, 'web-host.entry.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'CustodianCore',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0].text;
    assert.doesNotMatch(script, /require\(["'](node:)?(crypto|fs|buffer|stream|path)["']\)/, 'no Node module is required at run time');

    const vector = JSON.parse(readFileSync(join(VECTORS, 'envelope', 'default-chunk-size-signed.json'), 'utf8')) as { file: string; plaintext_sha256: string; signer: string };
    const rfc6238 = JSON.parse(readFileSync(join(VECTORS, 'otp', 'rfc6238.json'), 'utf8')) as { secrets: { SHA1: { ascii: string } }; vectors: { time: number; algorithm: string; totp: string }[] };
    const sha1 = rfc6238.vectors.find((v) => v.algorithm === 'SHA1' && v.time === 1111111109)!;
    const yaml = '# app\ndb:\n  host: db.internal\n  password: hunter2 # rotate\nreplicas: 2\n';
    const input: WebHostInput = {
      envelopeBase64: vector.file,
      bobPem: readFileSync(join(VECTORS, 'envelope', 'bob.pem'), 'utf8'),
      alicePem: readFileSync(join(VECTORS, 'envelope', 'alice.pem'), 'utf8'),
      yaml,
      totpSeed: rfc6238.secrets.SHA1.ascii,
      totpTime: sha1.time,
    };

    browser = await launchChromium();
    // Browsers give WebCrypto to secure contexts only: a page from localhost is one (as https is), served
    // here by the browser itself, no server.
    const page = await browser.newPage();
    await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>web host</title>' }));
    await page.goto('http://localhost/');
    await page.addScriptTag({ content: script });
    const out = await page.evaluate(async (arg) => (globalThis as unknown as { CustodianCore: Core }).CustodianCore.run(arg), input);

    assert.equal(out.nativeSubtle, true, 'a browser: WebCrypto, and no Node process object');
    assert.equal(out.envelopePlaintextSha256, vector.plaintext_sha256, 'the vector decrypts to its known plaintext');
    assert.equal(out.envelopeSigner, vector.signer, 'signed by alice, verified');
    assert.equal(out.roundTrip, 'a secret typed in a browser');
    assert.equal(out.sealedHasTokens, true);
    assert.equal(out.opened, yaml, 'the values open to the same bytes');
    assert.equal(out.shamir, 'break-glass');
    assert.equal(out.totp, sha1.totp);

    // about:blank is no secure context: no WebCrypto. Said as such, not as "does not decrypt with this key".
    const insecure = await browser.newPage();
    await insecure.goto('about:blank');
    await insecure.addScriptTag({ content: script });
    const refused = await insecure.evaluate(async (arg) => (globalThis as unknown as { CustodianCore: Core }).CustodianCore.runWithoutWebCrypto(arg), input);
    assert.equal(refused.name, 'CryptoUnavailableError', refused.message);
    assert.match(refused.message, /WebCrypto \(crypto\.subtle\) is not available here/);
    assert.match(refused.hint ?? '', /https or from localhost/);
  });
});
