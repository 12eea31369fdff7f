/**
 * zod, configured once for every schema of streamt. Every module imports `z` from here, so the
 * configuration is applied before any schema is built (zod reads it when an object schema is
 * constructed).
 *
 * jitless: zod v4 otherwise generates a fast-path parser for every object schema with
 * `new Function` and compiles it the first time the schema parses. A CLI process parses each
 * schema a handful of times, so the generated code never repays its compilation: validate of a
 * 10-model project measured 0.21 s of CPU jitless against 0.25 s (alternating runs), and no
 * difference at 1,000 and 10,000 models (bench/README.md). It also keeps eval out of the CLI.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
