#!/usr/bin/env node
// Thin launcher for the local streaming stack tool (stack/cli.mjs).
// Usage: npm run stack -- up|down|status|logs [service]|env
import '../stack/cli.mjs';
