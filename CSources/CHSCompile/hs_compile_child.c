// The child side of a bounded Hyperscan compile: fork, cap the address space, compile,
// serialize, write the answer to a pipe, _exit. The parent reads with a deadline.
#define _GNU_SOURCE
#include "hs_compile_child.h"
#include <hs/hs.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w; n -= (size_t)w;
    }
    return 0;
}

/// Virtual size of this process in bytes (first field of /proc/self/statm), 0 when unknown.
static size_t current_vm_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    unsigned long pages = 0;
    int ok = fscanf(f, "%lu", &pages) == 1;
    fclose(f);
    return ok ? pages * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

// Answer layout: one byte 'O' then a u64 length and the database, or 'E' then an i32 pattern
// index, a u32 length and the message.
static void child(int fd, const char *const *expressions, const unsigned *flags, const unsigned *ids,
                  unsigned count, unsigned mode, size_t limit) {
    if (limit > 0) {
        struct rlimit r = { .rlim_cur = limit, .rlim_max = limit };
        setrlimit(RLIMIT_AS, &r);
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(expressions, flags, ids, count, mode, NULL, &db, &err) != HS_SUCCESS) {
        const char *m = err && err->message ? err->message : "compile failed";
        int32_t index = err ? err->expression : -1;
        uint32_t len = (uint32_t)strlen(m);
        if (write_all(fd, "E", 1) || write_all(fd, &index, 4) || write_all(fd, &len, 4) || write_all(fd, m, len)) _exit(2);
        _exit(0);
    }
    char *bytes = NULL;
    size_t length = 0;
    if (hs_serialize_database(db, &bytes, &length) != HS_SUCCESS) _exit(3);
    uint64_t len = length;
    if (write_all(fd, "O", 1) || write_all(fd, &len, 8) || write_all(fd, bytes, length)) _exit(2);
    _exit(0);
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int sluice_hs_compile_bounded(const char *const *expressions, const unsigned *flags, const unsigned *ids,
                              unsigned count, unsigned mode, unsigned timeout_ms, size_t memory_bytes,
                              char **out_bytes, size_t *out_length, int *error_index,
                              char *error_message, size_t error_capacity) {
    *out_bytes = NULL; *out_length = 0; *error_index = -1;
    if (error_capacity > 0) error_message[0] = 0;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) { *error_index = errno; return SLUICE_HS_SYSTEM; }
    size_t base = current_vm_bytes();
    size_t limit = memory_bytes == 0 ? 0 : (base > SIZE_MAX - memory_bytes ? SIZE_MAX : base + memory_bytes);
    pid_t pid = fork();
    if (pid < 0) { *error_index = errno; close(p[0]); close(p[1]); return SLUICE_HS_SYSTEM; }
    if (pid == 0) {
        close(p[0]);
        child(p[1], expressions, flags, ids, count, mode, limit);
        _exit(4); // not reached: child() always exits
    }
    close(p[1]);

    // Read the whole answer before the deadline: at most the child's memory cap in size.
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    int status = SLUICE_HS_OK, killed = 0, too_big = 0, sys_errno = 0;
    long long deadline = now_ms() + timeout_ms;
    while (buf) {
        long long left = deadline - now_ms();
        if (left <= 0) { killed = 1; break; }
        struct pollfd pf = { .fd = p[0], .events = POLLIN };
        int r = poll(&pf, 1, left > 60000 ? 60000 : (int)left);
        if (r < 0) { if (errno == EINTR) continue; sys_errno = errno; killed = 1; break; }
        if (r == 0) continue;
        if (used == cap) {
            if (memory_bytes && cap > memory_bytes + 4096) { too_big = 1; killed = 1; break; }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) { sys_errno = ENOMEM; killed = 1; break; }
            buf = bigger; cap *= 2;
        }
        ssize_t n = read(p[0], buf + used, cap - used);
        if (n < 0) { if (errno == EINTR || errno == EAGAIN) continue; sys_errno = errno; killed = 1; break; }
        if (n == 0) break;
        used += (size_t)n;
    }
    if (!buf) { sys_errno = ENOMEM; killed = 1; }
    close(p[0]);
    if (killed) kill(pid, SIGKILL);
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {}

    if (sys_errno) { free(buf); *error_index = sys_errno; return SLUICE_HS_SYSTEM; }
    if (too_big) {
        free(buf);
        if (error_capacity) snprintf(error_message, error_capacity, "answer larger than the memory limit");
        return SLUICE_HS_DIED;
    }
    if (killed) { free(buf); return SLUICE_HS_TIMEOUT; }
    if (used >= 9 && buf[0] == 'O') {
        uint64_t len;
        memcpy(&len, buf + 1, 8);
        if (len == used - 9) {
            memmove(buf, buf + 9, len);
            *out_bytes = buf; *out_length = len;
            return status;
        }
    }
    if (used >= 9 && buf[0] == 'E') {
        int32_t index; uint32_t len;
        memcpy(&index, buf + 1, 4); memcpy(&len, buf + 5, 4);
        if (len <= used - 9) {
            *error_index = index;
            size_t n = len < error_capacity ? len : (error_capacity ? error_capacity - 1 : 0);
            if (error_capacity) { memcpy(error_message, buf + 9, n); error_message[n] = 0; }
            free(buf);
            return SLUICE_HS_REJECTED;
        }
    }
    free(buf);
    *error_index = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    if (error_capacity) {
        if (WIFSIGNALED(wstatus)) snprintf(error_message, error_capacity, "killed by signal %d", WTERMSIG(wstatus));
        else snprintf(error_message, error_capacity, "exited with status %d", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
    }
    return SLUICE_HS_DIED;
}
