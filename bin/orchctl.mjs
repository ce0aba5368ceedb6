#!/usr/bin/env node
// orchctl: the node launcher and cluster CLI. The commands are TypeScript (scripts/cli/);
// tsx compiles them on the fly, so a checkout needs no build step for the CLI.
import { hideSecretArguments } from './hide-secret-arguments.mjs';

hideSecretArguments();
const { register } = await import('tsx/esm/api');
register();
await import('../scripts/cli/main.ts');
