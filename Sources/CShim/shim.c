#define _GNU_SOURCE
#include "pyrmute_shim.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int pyrmute_spawn(const char *path, char *const argv[], char *const envp[],
                  int listen_fd, int ready_fd, int shared_fd, pid_t *pid_out) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    int rc;

    if ((rc = posix_spawn_file_actions_init(&actions)) != 0) return rc;
    if ((rc = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    rc = posix_spawn_file_actions_adddup2(&actions, listen_fd, PYRMUTE_LISTEN_FD);
    if (rc == 0 && ready_fd >= 0) rc = posix_spawn_file_actions_adddup2(&actions, ready_fd, PYRMUTE_CONTROL_FD);
    if (rc == 0 && shared_fd >= 0) rc = posix_spawn_file_actions_adddup2(&actions, shared_fd, PYRMUTE_SHARED_FD);
    if (rc == 0) {
        int first_closed = (shared_fd >= 0 ? PYRMUTE_SHARED_FD : ready_fd >= 0 ? PYRMUTE_CONTROL_FD : PYRMUTE_LISTEN_FD) + 1;
        rc = posix_spawn_file_actions_addclosefrom_np(&actions, first_closed);
    }

    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &empty);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (rc == 0) rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (rc == 0) rc = posix_spawn(pid_out, path, &actions, &attr, argv, envp);

    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int pyrmute_set_parent_death_signal(int sig) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0);
}

int pyrmute_move_fd_high(int fd, int minimum) {
    int high = fcntl(fd, F_DUPFD_CLOEXEC, minimum);
    if (high < 0) return -1;
    close(fd);
    return high;
}

int pyrmute_set_cloexec(int fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int pyrmute_pipe_cloexec_nonblock(int fds[2]) { return pipe2(fds, O_CLOEXEC | O_NONBLOCK); }

int pyrmute_set_blocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

int pyrmute_notify(const char *path, const char *message) {
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    size_t length = strlen(path);
    if (length == 0 || length >= sizeof address.sun_path) return EINVAL;
    memcpy(address.sun_path, path, length);
    if (path[0] == '@') address.sun_path[0] = '\0';
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    ssize_t sent = sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&address,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length));
    int error = sent < 0 ? errno : 0;
    close(fd);
    return error;
}

int pyrmute_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

void pyrmute_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

int pyrmute_wifexited(int status) { return WIFEXITED(status); }
int pyrmute_wexitstatus(int status) { return WEXITSTATUS(status); }
int pyrmute_wifsignaled(int status) { return WIFSIGNALED(status); }
int pyrmute_wtermsig(int status) { return WTERMSIG(status); }

int pyrmute_region_create(size_t size) {
    int fd = memfd_create("pyrmute-shared", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    // Out of the way of the descriptors a child is given (3, 4, 5): spawning dups onto those in
    // order, and a region at 3 would be overwritten by the listening socket before it is moved.
    return pyrmute_move_fd_high(fd, 64);
}

void *pyrmute_region_map(int fd, size_t size) {
    if (fd >= 0) {
        struct stat info;
        if (fstat(fd, &info) != 0 || (size_t)info.st_size < size) return NULL;
    }
    int flags = fd >= 0 ? MAP_SHARED : MAP_SHARED | MAP_ANONYMOUS;
    void *address = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);
    return address == MAP_FAILED ? NULL : address;
}

uint64_t pyrmute_atomic_load_u64(const uint64_t *counter) { return __atomic_load_n(counter, __ATOMIC_SEQ_CST); }

void pyrmute_atomic_increment_u64(uint64_t *counter) { __atomic_add_fetch(counter, 1, __ATOMIC_SEQ_CST); }

size_t pyrmute_shared_mutex_size(void) { return sizeof(pthread_mutex_t); }

int pyrmute_shared_mutex_init(void *memory) {
    pthread_mutexattr_t attr;
    int rc = pthread_mutexattr_init(&attr);
    if (rc != 0) return rc;
    rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0) rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    if (rc == 0) rc = pthread_mutex_init((pthread_mutex_t *)memory, &attr);
    pthread_mutexattr_destroy(&attr);
    return rc;
}

int pyrmute_shared_mutex_lock(void *memory) {
    pthread_mutex_t *mutex = (pthread_mutex_t *)memory;
    int rc = pthread_mutex_lock(mutex);
    // The holder died holding it: what it guarded is the caller's to check (a database rolls
    // its own transaction back), so the mutex is declared usable again.
    if (rc == EOWNERDEAD) rc = pthread_mutex_consistent(mutex);
    return rc;
}

int pyrmute_shared_mutex_lock_until(void *memory, int64_t deadline_ns) {
    pthread_mutex_t *mutex = (pthread_mutex_t *)memory;
    struct timespec deadline = { .tv_sec = deadline_ns / 1000000000, .tv_nsec = deadline_ns % 1000000000 };
    int rc = pthread_mutex_clocklock(mutex, CLOCK_MONOTONIC, &deadline);
    if (rc == EOWNERDEAD) rc = pthread_mutex_consistent(mutex);
    return rc;
}

void pyrmute_shared_mutex_unlock(void *memory) { pthread_mutex_unlock((pthread_mutex_t *)memory); }

int pyrmute_set_allocator_thresholds(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1 && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
}
