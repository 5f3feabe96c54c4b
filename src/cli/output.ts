/** Where the command writes: the report on `out` (standard output), progress and problems on `err`. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Writes lines to `stream` until its reader goes away, then drops them. */
function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let closed = false;
  // A reader that stops early (`redflow list | head -1`) closes the pipe: the next write fails with EPIPE,
  // reported as an 'error' event that would end the process with a stack trace. What is left of the report
  // has no reader, so it is dropped and the command ends as it would have, with its own exit status.
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
    closed = true;
  });
  return (line) => {
    if (!closed && !stream.destroyed) stream.write(`${line}\n`);
  };
}

/**
 * Standard output and standard error, a line at a time. Once the reader of one of them goes away (a closed
 * pipe), lines for it are dropped: the command still finishes, quietly, with its exit status.
 */
export function processOutput(): Output {
  return { out: lineWriter(process.stdout), err: lineWriter(process.stderr) };
}
