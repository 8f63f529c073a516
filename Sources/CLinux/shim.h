#ifndef CARTWISE_CLINUX_SHIM_H
#define CARTWISE_CLINUX_SHIM_H
// Linux interfaces that Swift's Glibc module does not export: epoll, eventfd and thread names.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

// accept4 is declared only under _GNU_SOURCE, which the Glibc module is not built with.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// Accepts a connection that is already non-blocking and close-on-exec, in one call.
static inline int cartwise_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

// sync_file_range is likewise declared only under _GNU_SOURCE.
extern int sync_file_range(int fd, long offset, long count, unsigned int flags);

/// Starts writing back a file range without waiting for it (SYNC_FILE_RANGE_WRITE).
static inline int cartwise_start_writeback(int fd, long offset, long count) {
    return sync_file_range(fd, offset, count, 2);
}

/// Names the calling thread (at most 15 bytes are kept), so `top -H` and crash logs show it.
static inline int cartwise_set_thread_name(const char *name) {
    return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/// epoll_event.data is a union; Swift reads it more simply through these.
static inline int cartwise_epoll_event_fd(const struct epoll_event *event) { return event->data.fd; }
static inline void cartwise_epoll_event_set_fd(struct epoll_event *event, int fd) { event->data.fd = fd; }
#endif
