#ifndef PYRMUTE_REUSEPORT_H
#define PYRMUTE_REUSEPORT_H

#include <stdint.h>

/// One classic BPF instruction, laid out as the kernel's `struct sock_filter`.
typedef struct {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
} pyrmute_bpf_insn;

/// Attaches a classic BPF program to the SO_REUSEPORT group of the listening socket `fd`
/// (SO_ATTACH_REUSEPORT_CBPF): it replaces the group's program at once and picks, for each new
/// connection, the index of the group's socket that gets it. Returns 0 or an errno value.
int pyrmute_reuseport_attach_cbpf(int fd, const pyrmute_bpf_insn *program, unsigned short count);

/// Removes the group's program (SO_DETACH_REUSEPORT_BPF): the kernel picks by hash again.
/// Returns 0 or an errno value.
int pyrmute_reuseport_detach(int fd);

/// Connections a listening socket holds that no accept() has taken yet (TCP_INFO's tcpi_unacked
/// on a listener), or -1 when `fd` is not a listening TCP socket.
int pyrmute_listen_queue_length(int fd);

/// Stops a listening socket now (shutdown(SHUT_RDWR)): it leaves its SO_REUSEPORT group at once,
/// even while another process still holds a descriptor of it. Returns 0 or an errno value.
int pyrmute_listener_stop(int fd);

#endif
