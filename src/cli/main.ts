#!/usr/bin/env node
/** Entry point of the `tessera` command. */
import { runCli } from './program.js';
import { processIo } from './output.js';

// Setting exitCode instead of calling exit() lets stdout drain when it is a pipe.
process.exitCode = await runCli(process.argv.slice(2), processIo());
