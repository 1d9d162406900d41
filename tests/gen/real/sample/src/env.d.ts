// The one host API the sample uses (no DOM lib, no @types/node).
declare const console: { log(...args: unknown[]): void };
