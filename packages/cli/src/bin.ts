#!/usr/bin/env -S npx tsx
import { main } from "./main";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
// exitCode instead of exit(): lets stdout drain when piped.
process.exitCode = await main(process.argv.slice(2));
