import { writeSync } from 'node:fs';

/**
 * No silent exit. When everything the process waits for is gone (a connection that stalled and was
 * dropped without an error, leaving only a promise nothing will settle), Node would end the unsettled
 * top-level await with exit code 13 and no word. The event loop running empty before the command has
 * finished is that case: it is an Atlas or network failure with nothing written, so say so and exit 3,
 * as every other such failure does. Returns the function to call once the command has finished.
 */
export function installExitGuard(): () => void {
  let finished = false;
  process.on('beforeExit', () => {
    if (finished) return;
    // Synchronous: an asynchronous write to a pipe may be lost while exiting.
    writeSync(
      2,
      'error: the tool stopped waiting for an answer that never came (a stalled or dropped connection); nothing was written\n',
    );
    process.exit(3);
  });
  return () => {
    finished = true;
  };
}
