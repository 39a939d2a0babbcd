// custodian CLI entry point (placeholder until the CLI issue lands).
process.stdout.write('custodian 0.1.0\n');
