/** Where the command writes: the report on `out` (standard output), progress and problems on `err`. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Standard output and standard error, a line at a time. */
export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
