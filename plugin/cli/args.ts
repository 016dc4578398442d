/** A parsed command line: `--name value` options and `--flag` switches. */
export interface ParsedArgs {
  options: Map<string, string>;
  flags: Set<string>;
}

/**
 * Parses `--name value` and `--name=value` options and bare `--flag`
 * switches; `flagNames` lists the switches. Unknown names throw.
 */
export function parseArgs(argv: string[], optionNames: string[], flagNames: string[] = []): ParsedArgs {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"; options start with --`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (flagNames.includes(name)) {
      flags.add(name);
    } else if (optionNames.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      options.set(name, value);
    } else {
      throw new Error(`unknown option --${name}; known: ${[...optionNames, ...flagNames].map((n) => `--${n}`).join(' ')}`);
    }
  }
  return { options, flags };
}
