#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `mcpctl` works straight from a clone after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
