// AF_PACKET socket, TPACKET_V3 ring and batched send. See include/CAFPacket.h.
#ifdef __linux__
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "CAFPacket.h"

#define CHECK(call) do { if ((call) < 0) return -errno; } while (0)

static int bind_to(int fd, int ifindex, uint16_t protocol) {
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(protocol);
    sll.sll_ifindex = ifindex;
    CHECK(bind(fd, (struct sockaddr *)&sll, sizeof sll));
    return 0;
}

int sluice_afp_open(const char *ifname, int *ifindex) {
    // Protocol 0: the socket receives nothing until sluice_afp_start binds it for ETH_P_ALL,
    // so no frame is queued before the ring exists (and none from other interfaces).
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (strlen(ifname) >= sizeof ifr.ifr_name) { close(fd); return -ENAMETOOLONG; }
    strcpy(ifr.ifr_name, ifname);
    // Resolved through the socket, so in the socket's namespace.
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) { int e = errno; close(fd); return -e; }
    *ifindex = ifr.ifr_ifindex;
    int r = bind_to(fd, ifr.ifr_ifindex, 0);
    if (r < 0) { close(fd); return r; }
    return fd;
}

int sluice_afp_start(int fd, int ifindex) { return bind_to(fd, ifindex, ETH_P_ALL); }

static int set_int(int fd, int level, int name, int value) {
    CHECK(setsockopt(fd, level, name, &value, sizeof value));
    return 0;
}

int sluice_afp_set_v3(int fd) { return set_int(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3); }
int sluice_afp_set_v2(int fd) { return set_int(fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2); }
int sluice_afp_set_vnet_hdr(int fd) { return set_int(fd, SOL_PACKET, PACKET_VNET_HDR, 1); }
int sluice_afp_set_ignore_outgoing(int fd) { return set_int(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1); }
int sluice_afp_set_qdisc_bypass(int fd) { return set_int(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1); }

int sluice_afp_set_buffers(int fd, int sndbuf, int rcvbuf) {
    // The *FORCE variants ignore net.core.[rw]mem_max (root only); fall back if refused.
    if (sndbuf > 0 && set_int(fd, SOL_SOCKET, SO_SNDBUFFORCE, sndbuf) < 0)
        CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf));
    if (rcvbuf > 0 && set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf) < 0)
        CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf));
    return 0;
}

int sluice_afp_set_promiscuous(int fd, int ifindex) {
    struct packet_mreq mr;
    memset(&mr, 0, sizeof mr);
    mr.mr_ifindex = ifindex;
    mr.mr_type = PACKET_MR_PROMISC;
    CHECK(setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr));
    return 0;
}

int sluice_afp_join_fanout(int fd, uint16_t group) {
    int arg = group | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
    return set_int(fd, SOL_PACKET, PACKET_FANOUT, arg);
}

// Maps the ring the kernel just allocated: `count` units (V3 blocks or V2 slots) of `size` bytes.
static int map_ring(int fd, uint32_t size, uint32_t count, sluice_afp_ring *ring) {
    size_t length = (size_t)size * count;
    // MAP_POPULATE faults the ring in now rather than on the first packets; MAP_LOCKED would
    // also pin it but fails under a small RLIMIT_MEMLOCK.
    void *base = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (base == MAP_FAILED) return -errno;
    ring->base = base;
    ring->length = length;
    ring->block_size = size;
    ring->block_count = count;
    return 0;
}

int sluice_afp_setup_ring(int fd, uint32_t block_size, uint32_t block_count, uint32_t frame_size,
                          uint32_t timeout_ms, sluice_afp_ring *ring) {
    if (frame_size == 0 || block_size % frame_size != 0) return -EINVAL;
    struct tpacket_req3 req;
    memset(&req, 0, sizeof req);
    req.tp_block_size = block_size;
    req.tp_block_nr = block_count;
    req.tp_frame_size = frame_size;
    req.tp_frame_nr = (block_size / frame_size) * block_count;
    req.tp_retire_blk_tov = timeout_ms;
    req.tp_feature_req_word = TP_FT_REQ_FILL_RXHASH;
    CHECK(setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req));
    return map_ring(fd, block_size, block_count, ring);
}

int sluice_afp_setup_frame_ring(int fd, uint32_t frame_size, uint32_t frame_count, sluice_afp_ring *ring) {
    // One frame per block: a block must be a multiple of the page size, and a frame as large
    // as a GSO super-frame then wastes nothing between frames.
    long page = sysconf(_SC_PAGESIZE);
    if (frame_size == 0 || frame_count == 0 || page <= 0 || frame_size % (uint32_t)page != 0) return -EINVAL;
    struct tpacket_req req;
    memset(&req, 0, sizeof req);
    req.tp_block_size = frame_size;
    req.tp_block_nr = frame_count;
    req.tp_frame_size = frame_size;
    req.tp_frame_nr = frame_count;
    CHECK(setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req));
    return map_ring(fd, frame_size, frame_count, ring);
}

void sluice_afp_unmap_ring(sluice_afp_ring *ring) {
    if (ring->base) munmap(ring->base, ring->length);
    ring->base = NULL;
}

int sluice_afp_statistics(int fd, uint64_t *packets, uint64_t *drops, uint64_t *freezes) {
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof st;
    memset(&st, 0, sizeof st);
    CHECK(getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len));
    *packets = st.tp_packets;
    *drops = st.tp_drops;
    *freezes = st.tp_freeze_q_cnt;
    return 0;
}

// POLLERR stays raised until the socket's pending error is read: read it (clearing it) and
// report it, or a caller would spin. The kernel raises ENETDOWN when the interface goes down;
// the socket keeps its binding and receives again once the interface is back up.
static int pending_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return -errno;
    return err ? -err : 0;
}

int sluice_afp_wait(int fd, int timeout_ms) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r < 0) return errno == EINTR ? 0 : -errno;
    if (r > 0 && (p.revents & POLLERR)) {
        int e = pending_error(fd);
        if (e < 0) return e;
    }
    return r > 0;
}

int sluice_afp_wait2(int fd_a, int fd_b, int timeout_ms) {
    struct pollfd p[2] = { { .fd = fd_a, .events = POLLIN }, { .fd = fd_b, .events = POLLIN } };
    int r = poll(p, 2, timeout_ms);
    if (r < 0) return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < 2 && r > 0; i++) {
        if (p[i].revents & POLLERR) {
            int e = pending_error(p[i].fd);
            if (e < 0) return e;
        }
    }
    return r > 0;
}

size_t sluice_afp_mmsghdr_size(void) { return sizeof(struct mmsghdr); }
size_t sluice_afp_iovec_size(void) { return sizeof(struct iovec); }

void sluice_afp_set_iovec(void *iov, uint32_t i, const void *base, size_t len) {
    struct iovec *v = (struct iovec *)iov + i;
    v->iov_base = (void *)base;
    v->iov_len = len;
}

int sluice_afp_send_batch(int fd, void *msgs, const void *iov, const uint32_t *first,
                          const uint32_t *parts, uint32_t count, uint32_t *sent, uint32_t *failed) {
    struct mmsghdr *m = (struct mmsghdr *)msgs;
    const struct iovec *v = (const struct iovec *)iov;
    for (uint32_t i = 0; i < count; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].msg_hdr.msg_iov = (struct iovec *)(v + first[i]);
        m[i].msg_hdr.msg_iovlen = parts[i];
    }
    uint32_t ok = 0, bad = 0;
    int last = 0;
    uint32_t i = 0;
    while (i < count) {
        // MSG_DONTWAIT: a full socket buffer or a busy device drops the frame (counted) rather
        // than stalling the worker, as a switch would.
        int r = sendmmsg(fd, m + i, count - i, MSG_DONTWAIT);
        if (r > 0) {
            ok += (uint32_t)r;
            i += (uint32_t)r;
        } else {
            // sendmmsg reports the error of the first message that failed; skip that one.
            last = r < 0 ? errno : EIO;
            if (last == EINTR) continue;
            bad++;
            i++;
        }
    }
    *sent = ok;
    *failed = bad;
    return -last;
}
int sluice_pin_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) < 0 ? -errno : 0;
}
#endif /* __linux__ */

#ifdef __linux__
int sluice_netlink_link_socket(void) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd < 0) return -errno;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { int e = errno; close(fd); return -e; }
    return fd;
}
#endif
