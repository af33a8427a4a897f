#define _GNU_SOURCE
#include "pyrmute_reuseport.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <sys/socket.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif
#ifndef SO_DETACH_REUSEPORT_BPF
#define SO_DETACH_REUSEPORT_BPF 68
#endif

_Static_assert(sizeof(pyrmute_bpf_insn) == sizeof(struct sock_filter), "pyrmute_bpf_insn is struct sock_filter");
_Static_assert(offsetof(pyrmute_bpf_insn, k) == offsetof(struct sock_filter, k), "pyrmute_bpf_insn is struct sock_filter");

int pyrmute_reuseport_attach_cbpf(int fd, const pyrmute_bpf_insn *program, unsigned short count) {
    struct sock_fprog fprog = { .len = count, .filter = (struct sock_filter *)program };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &fprog, sizeof fprog) == 0 ? 0 : errno;
}

int pyrmute_reuseport_detach(int fd) {
    int unused = 0;
    return setsockopt(fd, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &unused, sizeof unused) == 0 ? 0 : errno;
}

int pyrmute_listen_queue_length(int fd) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
    if (info.tcpi_state != 10 /* TCP_LISTEN */) return -1;
    return (int)info.tcpi_unacked;
}

int pyrmute_listener_stop(int fd) {
    return shutdown(fd, SHUT_RDWR) == 0 ? 0 : errno;
}
