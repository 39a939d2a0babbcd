// node scripts/lib/cli-code-cache.js OUTDIR: writes OUTDIR/cli-main.js.cache, V8's code cache for the
// CLI bundle, after driving the bundle through the commands users run most (encrypt, signed and
// armored; decrypt; inspect; fingerprint; pubkey; help), in a temporary directory with a throw-away
// 2048-bit key. Functions that the warm-up did not reach are compiled at run time as before.
// V8 refuses a cache made under other flags than the run's: inputs stay far below the GC pacer's
// 4 MiB (it sets --expose-gc), and the flag binary encrypt and decrypt turn off is turned back on.
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PassThrough, Readable } = require('node:stream');
const { setFlagsFromString } = require('node:v8');

async function warmUp(cli, dir) {
  const file = (name) => path.join(dir, name);
  const run = async (...argv) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out = [];
    stdout.on('data', (c) => out.push(c));
    stderr.resume();
    const io = { stdin: Readable.from([]), stdout, stderr, env: {} };
    const code = await cli.runCli(argv, io);
    if (code !== 0) throw new Error(`warm-up: custodian ${argv.join(' ')} exited ${code}`);
    return Buffer.concat(out).toString('utf8');
  };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  fs.writeFileSync(file('key.pem'), privateKey, { mode: 0o600 });
  fs.writeFileSync(file('key.pub'), await run('pubkey', file('key.pem')));
  const message = randomBytes(600_000); // three 256 KiB chunks
  fs.writeFileSync(file('message'), message);
  await run('encrypt', '-r', file('key.pub'), '-s', file('key.pem'), '-o', file('message.enc'), file('message'));
  await run('decrypt', '-i', file('key.pem'), '-o', file('message.out'), file('message.enc'));
  await run('encrypt', '-r', file('key.pub'), '-a', '-o', file('message.asc'), file('message'));
  await run('decrypt', '-i', file('key.pem'), '-o', file('message.asc.out'), file('message.asc'));
  for (const out of ['message.out', 'message.asc.out']) {
    if (!fs.readFileSync(file(out)).equals(message)) throw new Error(`warm-up: ${out} differs from the input`);
  }
  await run('inspect', file('message.enc'));
  await run('fingerprint', file('key.pub'));
  await run('--version');
  await run('--help');
  setFlagsFromString('--turbofan'); // src/node/optimizing-compiler.ts
}

async function main() {
  const outdir = path.resolve(process.argv[2]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeCodeCache } = require(path.join(outdir, 'cli.js'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-code-cache-'));
  try {
    const bytes = await writeCodeCache(path.join(outdir, 'cli-main.js'), (cli) => warmUp(cli, dir));
    console.log(`code cache: ${(bytes / 1024).toFixed(0)} KiB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
