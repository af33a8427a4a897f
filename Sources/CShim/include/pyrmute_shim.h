#ifndef PYRMUTE_SHIM_H
#define PYRMUTE_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// Steering new connections among the workers' sockets (reuseport.c). Included here so that a
/// build whose module cache predates that header sees it.
#include "pyrmute_reuseport.h"

/// The descriptors a worker inherits from its supervisor: the slot's listening socket and the
/// write end of its control pipe. One definition for C and Swift (`WorkerHandshake` in Shared
/// holds the rest of the handshake: the environment variables and the boot-failure status).
#define PYRMUTE_LISTEN_FD 3
#define PYRMUTE_CONTROL_FD 4
/// The server's shared region (change board, writer gate), when the supervisor made one.
#define PYRMUTE_SHARED_FD 5

/// Spawns `path` with `argv`/`envp`. In the child, `listen_fd` becomes PYRMUTE_LISTEN_FD,
/// `ready_fd` PYRMUTE_CONTROL_FD and `shared_fd` PYRMUTE_SHARED_FD (-1 skips either), every
/// descriptor above them is closed, the signal mask is emptied and every signal disposition reset
/// to default. Returns 0 and stores the pid, or an errno value.
int pyrmute_spawn(const char *path, char *const argv[], char *const envp[],
                  int listen_fd, int ready_fd, int shared_fd, pid_t *pid_out);

/// Fixes glibc's `mallopt` M_MMAP_THRESHOLD and M_TRIM_THRESHOLD (bytes); 1 when both were taken.
int pyrmute_set_allocator_thresholds(int mmap_threshold, int trim_threshold);

/// An anonymous file of `size` zero bytes (memfd_create, close-on-exec, descriptor >= 64); -1 on failure.
int pyrmute_region_create(size_t size);

/// Maps `size` bytes of `fd` shared and writable; `fd` -1 maps anonymous shared memory (one
/// process and its forks). NULL on failure or when `fd` is smaller than `size`.
void *pyrmute_region_map(int fd, size_t size);

/// A mutex in shared memory that every process mapping it can take (PTHREAD_PROCESS_SHARED) and
/// that survives a holder's death (PTHREAD_MUTEX_ROBUST: the next taker gets it, made consistent).
/// `memory` must hold pyrmute_shared_mutex_size() bytes, suitably aligned (a page start is).
size_t pyrmute_shared_mutex_size(void);
int pyrmute_shared_mutex_init(void *memory);
/// 0 once held (also after a holder died with it), or an errno value.
int pyrmute_shared_mutex_lock(void *memory);
/// As pyrmute_shared_mutex_lock, giving up with ETIMEDOUT at `deadline_ns` of CLOCK_MONOTONIC.
int pyrmute_shared_mutex_lock_until(void *memory, int64_t deadline_ns);
void pyrmute_shared_mutex_unlock(void *memory);

/// Sequentially consistent load and increment of a counter in shared memory.
uint64_t pyrmute_atomic_load_u64(const uint64_t *counter);
void pyrmute_atomic_increment_u64(uint64_t *counter);

/// prctl(PR_SET_PDEATHSIG, sig): the kernel sends `sig` when the parent thread dies.
int pyrmute_set_parent_death_signal(int sig);

/// Duplicates `fd` to the lowest free descriptor >= `minimum` with FD_CLOEXEC, closes `fd`.
int pyrmute_move_fd_high(int fd, int minimum);

int pyrmute_set_cloexec(int fd);

/// pipe2(O_CLOEXEC | O_NONBLOCK).
int pyrmute_pipe_cloexec_nonblock(int fds[2]);

/// Clears O_NONBLOCK.
int pyrmute_set_blocking(int fd);

/// Sends `message` as one datagram to the systemd notification socket `path` (a filesystem path,
/// or an abstract name starting with '@'). Returns 0 or an errno value.
int pyrmute_notify(const char *path, const char *message);

/// accept4(SOCK_CLOEXEC) without the peer address.
int pyrmute_accept_cloexec(int fd);

/// stdout line-buffered, so log lines reach a pipe or journald at once.
void pyrmute_line_buffer_stdout(void);

/// GET `url` with the system's libcurl, loaded at the first call (dlopen "libcurl.so.4"), so that
/// only the commands that fetch https:// URLs need it. Redirects are not followed; certificates
/// are verified (`ca_file`, when not NULL, is the CA bundle). On success returns 0 with the status
/// and a malloc'd body the caller frees; otherwise -1 with a message in `error`.
int pyrmute_curl_get(const char *url, long timeout_seconds, const char *ca_file,
                     long *status, char **body, size_t *body_length, char *error, size_t error_size);

int pyrmute_wifexited(int status);
int pyrmute_wexitstatus(int status);
int pyrmute_wifsignaled(int status);
int pyrmute_wtermsig(int status);

#endif
