// The name Custodian proposes for a decrypted copy of a value-encrypted file (VS Code's *Decrypt Values to
// New File…*): `values.yaml.plaintext`. The commit guard refuses such a file beside the one it copies.
// Its own module: the extension's command reads it without loading the value-encryption code.

export const DECRYPTED_COPY_SUFFIX = '.plaintext';
