#ifndef SLUICE_CAFPACKET_H
#define SLUICE_CAFPACKET_H
// The few AF_PACKET operations the Swift side needs. Glibc's Swift module does not export
// linux/if_packet.h, and the TPACKET_V3 ring is a layout of kernel structs, so everything that
// touches those structs lives here; Swift sees plain integers and pointers.
//
// Every function that can fail returns 0 (or a count/fd) on success and -errno on failure, so
// the caller never has to read errno after another call could have changed it.
#ifdef __linux__
#include <stddef.h>
#include <stdint.h>
#include <linux/if_packet.h>

/// One mapped TPACKET_V3 receive ring.
typedef struct {
    uint8_t *base;          ///< start of the mapping
    size_t length;          ///< bytes mapped
    uint32_t block_size;    ///< bytes per block
    uint32_t block_count;   ///< blocks in the ring
} sluice_afp_ring;

/// One frame of a block, as the kernel described it in its tpacket3_hdr.
typedef struct {
    const uint8_t *data;    ///< the frame from its MAC header (VLAN tag stripped when vlan_valid)
    uint32_t snaplen;       ///< bytes present at data
    uint32_t len;           ///< the frame's length on the wire (without a stripped tag)
    uint32_t status;        ///< tp_status: TP_STATUS_* bits
    uint16_t vlan_tci;      ///< the stripped tag's TCI when status has TP_STATUS_VLAN_VALID
    uint16_t vlan_tpid;     ///< the stripped tag's TPID (0x8100 when the kernel did not say)
    uint64_t timestamp_ns;  ///< receive time, nanoseconds since the epoch
} sluice_afp_frame;

/// TP_STATUS_* bits the Swift side tests, re-exported as plain constants.
enum {
    SLUICE_AFP_STATUS_LOSING = TP_STATUS_LOSING,
    SLUICE_AFP_STATUS_CSUMNOTREADY = TP_STATUS_CSUMNOTREADY,
    SLUICE_AFP_STATUS_VLAN_VALID = TP_STATUS_VLAN_VALID,
    SLUICE_AFP_STATUS_CSUM_VALID = TP_STATUS_CSUM_VALID,
};

/// Size of the virtio_net_hdr the kernel puts before each frame with PACKET_VNET_HDR.
enum { SLUICE_AFP_VNET_HDR_LEN = 10 };

/// Opens an AF_PACKET SOCK_RAW socket bound to interface `ifname` of the calling thread's
/// network namespace. `receive` nonzero binds for ETH_P_ALL (the socket captures every frame);
/// zero binds with protocol 0, a send-only socket that never queues received frames.
/// TPACKET_V3 and the ring must be set up before receiving starts, so a receiving socket is
/// first bound with protocol 0 too and only switched to ETH_P_ALL by `sluice_afp_start`.
/// Returns the fd, or -errno; *ifindex receives the interface index.
int sluice_afp_open(const char *ifname, int *ifindex);

/// Rebinds `fd` to `ifindex` with ETH_P_ALL: frames start arriving from here on.
int sluice_afp_start(int fd, int ifindex);

/// Selects TPACKET_V3 (variable-length frames packed into blocks).
int sluice_afp_set_v3(int fd);

/// Selects TPACKET_V2 (one fixed-size slot per frame, handed over as soon as it is written):
/// the inline pairs' ring, where a frame must not wait for a block to fill or retire.
int sluice_afp_set_v2(int fd);

/// PACKET_VNET_HDR: each received frame is preceded by a virtio_net_hdr (GSO type and size,
/// checksum start/offset) and each sent one must start with one.
int sluice_afp_set_vnet_hdr(int fd);

/// PACKET_IGNORE_OUTGOING: do not capture frames this host sends out of the interface.
int sluice_afp_set_ignore_outgoing(int fd);

/// PACKET_QDISC_BYPASS: frames sent go straight to the driver, skipping the qdisc layer.
int sluice_afp_set_qdisc_bypass(int fd);

/// Sets SO_SNDBUF / SO_RCVBUF (forced past the sysctl limit when permitted).
int sluice_afp_set_buffers(int fd, int sndbuf, int rcvbuf);

/// PACKET_ADD_MEMBERSHIP PACKET_MR_PROMISC: the kernel drops it when the socket closes.
int sluice_afp_set_promiscuous(int fd, int ifindex);

/// PACKET_FANOUT in hash mode with PACKET_FANOUT_FLAG_DEFRAG: sockets joining the same
/// `group` (per network namespace) on the same interface share its flows by a symmetric
/// flow hash, so both directions of a connection land on the same socket.
int sluice_afp_join_fanout(int fd, uint16_t group);

/// PACKET_RX_RING with a tpacket_req3, then mmap. `block_size` is a multiple of the page
/// size, `frame_size` a multiple of 16 dividing it (V3 packs variable-length frames; the
/// kernel uses frame_size only to count them), `timeout_ms` the tp_retire_blk_tov after which
/// a partly filled block is handed to user space anyway.
int sluice_afp_setup_ring(int fd, uint32_t block_size, uint32_t block_count, uint32_t frame_size,
                          uint32_t timeout_ms, sluice_afp_ring *ring);

/// PACKET_RX_RING with a tpacket_req for TPACKET_V2: `frame_count` slots of `frame_size`
/// bytes (a multiple of the page size, one slot per block), then mmap. `ring->block_size` and
/// `block_count` then describe the slots.
int sluice_afp_setup_frame_ring(int fd, uint32_t frame_size, uint32_t frame_count, sluice_afp_ring *ring);

/// Unmaps the ring.
void sluice_afp_unmap_ring(sluice_afp_ring *ring);

/// PACKET_STATISTICS for V3: packets (received plus dropped), drops, queue freezes since the
/// previous call (the kernel resets the counters on every read).
int sluice_afp_statistics(int fd, uint64_t *packets, uint64_t *drops, uint64_t *freezes);

/// Waits up to `timeout_ms` for the socket to become readable. Returns 1 ready, 0 timeout,
/// -errno on failure (EINTR is reported as 0) or when the socket had an error pending, which
/// is then cleared (ENETDOWN when the interface went down; it receives again once up).
int sluice_afp_wait(int fd, int timeout_ms);

/// Waits on two sockets at once; returns 1 when either is readable, 0 on timeout, -errno as
/// `sluice_afp_wait` does.
int sluice_afp_wait2(int fd_a, int fd_b, int timeout_ms);

/// Pins the calling thread to CPU `cpu` (a worker stays on one core, with its flow table in
/// that core's cache). Returns 0 or -errno.
int sluice_pin_thread(int cpu);

/// Sends `count` frames with one sendmmsg per run of successes. Frame i is the concatenation
/// of `parts[i]` iovecs starting at `iov + first[i]`. `sent` / `failed` receive the numbers
/// of frames the kernel accepted / refused; the last errno seen is returned negated (0 when
/// all went out). `msgs` is caller scratch of `count` entries (struct mmsghdr, opaque here).
int sluice_afp_send_batch(int fd, void *msgs, const void *iov, const uint32_t *first,
                          const uint32_t *parts, uint32_t count, uint32_t *sent, uint32_t *failed);

/// Bytes one struct mmsghdr takes, so Swift can allocate scratch without seeing the type.
size_t sluice_afp_mmsghdr_size(void);
/// Bytes one struct iovec takes.
size_t sluice_afp_iovec_size(void);
/// Stores an iovec at index `i` of an array of them.
void sluice_afp_set_iovec(void *iov, uint32_t i, const void *base, size_t len);

// ---- Ring walking, inline so Swift calls compile to plain loads. ----

/// The descriptor of block `index`, or NULL while the kernel still owns it. The acquire load
/// of block_status orders every later read of the block after the kernel's writes.
static inline const void *sluice_afp_block_ready(const sluice_afp_ring *ring, uint32_t index) {
    struct tpacket_block_desc *b = (struct tpacket_block_desc *)(ring->base + (size_t)index * ring->block_size);
    uint32_t status = __atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
    return (status & TP_STATUS_USER) ? b : NULL;
}

/// Frames in a ready block.
static inline uint32_t sluice_afp_block_frames(const void *block) {
    return ((const struct tpacket_block_desc *)block)->hdr.bh1.num_pkts;
}

/// The first frame header of a ready block.
static inline const void *sluice_afp_block_first(const void *block) {
    const struct tpacket_block_desc *b = (const struct tpacket_block_desc *)block;
    return (const uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
}

/// Reads frame header `hdr` into `out` and returns the next header of the block.
static inline const void *sluice_afp_frame_read(const void *hdr, sluice_afp_frame *out) {
    const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)hdr;
    out->data = (const uint8_t *)h + h->tp_mac;
    out->snaplen = h->tp_snaplen;
    out->len = h->tp_len;
    out->status = h->tp_status;
    if (h->tp_status & TP_STATUS_VLAN_VALID) {
        out->vlan_tci = h->hv1.tp_vlan_tci;
        out->vlan_tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : 0x8100;
    } else {
        out->vlan_tci = 0;
        out->vlan_tpid = 0;
    }
    out->timestamp_ns = (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec;
    return (const uint8_t *)h + h->tp_next_offset;
}

/// Hands a block back to the kernel. The release store orders our reads of the block before
/// the kernel can see it free and overwrite it.
static inline void sluice_afp_block_release(const sluice_afp_ring *ring, uint32_t index) {
    struct tpacket_block_desc *b = (struct tpacket_block_desc *)(ring->base + (size_t)index * ring->block_size);
    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

// ---- TPACKET_V2 slots. ----

/// The header of slot `index`, or NULL while the kernel still owns it (acquire load, as for
/// a V3 block).
static inline const void *sluice_afp_slot_ready(const sluice_afp_ring *ring, uint32_t index) {
    struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring->base + (size_t)index * ring->block_size);
    uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
    return (status & TP_STATUS_USER) ? h : NULL;
}

/// Reads a ready slot's tpacket2_hdr into `out`.
static inline void sluice_afp_slot_read(const void *hdr, sluice_afp_frame *out) {
    const struct tpacket2_hdr *h = (const struct tpacket2_hdr *)hdr;
    out->data = (const uint8_t *)h + h->tp_mac;
    out->snaplen = h->tp_snaplen;
    out->len = h->tp_len;
    out->status = h->tp_status;
    if (h->tp_status & TP_STATUS_VLAN_VALID) {
        out->vlan_tci = h->tp_vlan_tci;
        out->vlan_tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->tp_vlan_tpid : 0x8100;
    } else {
        out->vlan_tci = 0;
        out->vlan_tpid = 0;
    }
    out->timestamp_ns = (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec;
}

/// Hands slot `index` back to the kernel (release store, as for a V3 block).
static inline void sluice_afp_slot_release(const sluice_afp_ring *ring, uint32_t index) {
    struct tpacket2_hdr *h = (struct tpacket2_hdr *)(ring->base + (size_t)index * ring->block_size);
    __atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

/// A netlink route socket subscribed to link events (RTMGRP_LINK), non-blocking: the
/// container watcher polls it only to wake up when an interface appears, changes or goes
/// (it reads the interfaces from sysfs, so the messages are drained, never parsed).
/// The fd, or -errno.
int sluice_netlink_link_socket(void);

#endif /* __linux__ */
#endif /* SLUICE_CAFPACKET_H */
