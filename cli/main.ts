// Composition root of `mcpctl`.
import { createCli } from './create-cli.ts';

process.exitCode = await createCli().run(process.argv.slice(2), { env: process.env });
