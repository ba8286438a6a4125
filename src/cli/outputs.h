/* outputs.h - what the build command does around writing: a lock on each
 * output folder, so two runs cannot mix their letters; removing its own
 * temporary files when it is stopped by SIGINT, SIGTERM or SIGHUP; and,
 * on a resume, removing the temporary files a killed run left behind.
 * Process-wide state (the signal handler's), so it lives in the CLI. */
#ifndef LM_CLI_OUTPUTS_H
#define LM_CLI_OUTPUTS_H

#include <stddef.h>
#include <sys/types.h>

/* (The folder every output of a pattern goes in: lm_run_folder_of.) */

/* Locks letters [first, end) of the run in folder `dir` (made when
 * missing), with a POSIX record lock on dir/.lettermerge.lock: two runs
 * (or two shards) writing the same letters into one folder cannot run at
 * once, while disjoint shards can.  Returns 0, or prints who holds it and
 * returns the exit status (3).  Released by out_unlock, or when the run
 * exits (then the empty lock file stays, harmless). */
int out_lock(const char *dir, size_t first, size_t end);

/* Releases the locks, removing each lock file no other run holds a part of. */
void out_unlock(void);

/* Removes, under `dir` (and its sub-folders), the temporary files of runs
 * that are no longer running.  Returns how many were removed. */
size_t out_remove_stale_temps(const char *dir);

/* Installs the SIGINT/SIGTERM/SIGHUP handler: it stops the workers,
 * removes this process's temporary files in the folders registered, and
 * dies of the same signal. */
void out_catch_signals(void);
/* Registers folder `dir` (of a file about to be written) in slot 0-3
 * (NULL clears it); the path is copied. */
void out_temp_folder(int slot, const char *path_in_dir);
/* Before a run writes: installs the handler, locks letters [first, end)
 * in the folder of `out` (a pattern or a print file) and of `manifest`
 * (NULL, or "-": none), and on a resume removes what killed runs left
 * there.  Returns 0 or the exit status (printed). */
int out_prepare(const char *out, const char *manifest, size_t first, size_t end, int resume);
/* Holds (1) or lets through (0) the signals that stop a run: the letters
 * of a run are moved into place whole, and a signal acts after. */
void out_hold_signals(int hold);
/* Registers the folder (NULL clears it) where letters wait under
 * temporary names of this process until the run keeps them: the handler
 * removes every one of them there. */
void out_stage_folder(const char *dir);
/* Registers the worker processes the handler must stop (n = 0: none). */
void out_workers(const pid_t *pids, size_t n);

#endif
