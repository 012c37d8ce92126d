// GNU extensions of the C library that Swift's Glibc module leaves out (it is built without
// _GNU_SOURCE): declared here with their C prototypes, so that Swift calls them as C functions.
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <unistd.h>

#if defined(__linux__)
int pipe2(int pipefd[2], int flags);
int pthread_setname_np(pthread_t thread, const char *name);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int low);
#define CSYSTEM_HAS_ADDCLOSEFROM 1
#endif

/// A pipe whose two ends are close-on-exec from the start.
static inline int csystem_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

/// Names the calling thread (the first 15 bytes).
static inline int csystem_name_thread(const char *name) { return pthread_setname_np(pthread_self(), name); }

/// Makes the spawned child close every descriptor from `low` up before it runs. Older C
/// libraries lack the one call: each open descriptor below the limit is named instead.
static inline int csystem_spawn_closefrom(posix_spawn_file_actions_t *actions, int low) {
#ifdef CSYSTEM_HAS_ADDCLOSEFROM
    return posix_spawn_file_actions_addclosefrom_np(actions, low);
#else
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = low; fd < max; fd++) {
        if (fcntl(fd, F_GETFD) == -1) continue;
        int rc = posix_spawn_file_actions_addclose(actions, fd);
        if (rc != 0) return rc;
    }
    return 0;
#endif
}
#endif
