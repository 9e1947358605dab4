#ifndef SLUICE_CDPDKSHIM_H
#define SLUICE_CDPDKSHIM_H
// Plain C functions over DPDK 22.11 for Swift: DPDK's fast-path calls (rx/tx burst, mbuf
// data access, refcounts) are static inline in its headers, which Swift cannot call, and its
// structs carry bitfields and unions Swift should not see. mbufs and mempools cross as opaque
// pointers. Every failure comes back as a negative errno (rte_errno where DPDK sets it).
// Built without libdpdk's headers, every function fails with -ENOTSUP and
// sluice_dpdk_available() says 0, so the package builds everywhere.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when the shim was compiled against DPDK, 0 when every call fails with -ENOTSUP.
int sluice_dpdk_available(void);

/// rte_eal_init over `argc` arguments (argv[0] is the program name). Restores the calling
/// thread's CPU affinity afterwards: EAL pins the main thread to its first lcore, and every
/// thread created later (the workers) would inherit that. 0, or -rte_errno.
int sluice_dpdk_eal_init(int argc, char **argv);

/// rte_eal_cleanup. 0 or -errno.
int sluice_dpdk_eal_cleanup(void);

/// Registers the calling (non-EAL) thread with EAL, giving it an lcore id and so a mempool
/// cache. 0 or -rte_errno.
int sluice_dpdk_thread_register(void);

/// The number of ethdev ports EAL probed.
uint16_t sluice_dpdk_port_count(void);

/// The id of the port at index `index` among the probed ones (RTE_ETH_FOREACH_DEV order) and
/// its name into `name` (`capacity` bytes, NUL-terminated). 0 or -errno.
int sluice_dpdk_port_at(uint16_t index, uint16_t *port, char *name, size_t capacity);

/// The port called `name` (a vdev's name, or a PCI address). 0 or -ENODEV.
int sluice_dpdk_port_by_name(const char *name, uint16_t *port);

/// The most RX/TX queue pairs `port`'s driver offers (a vdev: as its arguments say), or -errno.
int sluice_dpdk_port_max_queues(uint16_t port);

/// A packet mbuf pool of `count` mbufs with room for `dataRoom` bytes each (0: the default,
/// 2048 plus headroom), per-lcore cache `cache`. NULL with *error set to -rte_errno.
void *sluice_dpdk_pool_create(const char *name, uint32_t count, uint32_t cache, uint16_t dataRoom, int *error);

/// mbufs of `pool` free now.
uint32_t sluice_dpdk_pool_available(void *pool);

/// Configures `port` with `queues` RX and TX queues of `ringSize` descriptors each (adjusted to
/// what the driver allows), receiving into `pool`, with a symmetric RSS key when the driver
/// hashes across queues (so both directions of a flow reach the same queue), the RX
/// timestamp offload when the driver has one, promiscuous mode when it can, and starts it.
/// 0 or -errno; *stage names the step that failed.
int sluice_dpdk_port_start(uint16_t port, uint16_t queues, uint16_t ringSize, void *pool, const char **stage);

/// Stops and closes `port`.
void sluice_dpdk_port_close(uint16_t port);

/// rte_eth_rx_burst: up to `count` mbufs into `mbufs`; the number received.
uint16_t sluice_dpdk_rx_burst(uint16_t port, uint16_t queue, void **mbufs, uint16_t count);

/// rte_eth_tx_burst: the number the driver took (it owns and frees those).
uint16_t sluice_dpdk_tx_burst(uint16_t port, uint16_t queue, void **mbufs, uint16_t count);

/// An mbuf's first segment: its bytes, their count, and the whole packet's length.
const void *sluice_dpdk_mbuf_data(const void *mbuf, uint32_t *segmentLength, uint32_t *packetLength);

/// The whole packet's bytes: in place when its first segment holds them all, else copied
/// from its chained segments into `scratch` (at most `capacity` bytes); *length says how many.
const void *sluice_dpdk_mbuf_linear(const void *mbuf, void *scratch, uint32_t capacity, uint32_t *length);

/// The driver's RX timestamp in the unit it uses (net_pcap: nanoseconds since the epoch),
/// or 0 when it set none.
uint64_t sluice_dpdk_mbuf_timestamp(const void *mbuf);

/// The mbuf's offload flags (RTE_MBUF_F_*).
uint64_t sluice_dpdk_mbuf_offload_flags(const void *mbuf);

/// One more reference to `mbuf`: a forwarded mbuf is held by the transmitting driver and by
/// the port that received it, each freeing its own reference.
void sluice_dpdk_mbuf_retain(void *mbuf);

/// rte_pktmbuf_free_bulk.
void sluice_dpdk_mbuf_free_bulk(void **mbufs, uint32_t count);

/// A new mbuf from `pool` holding a copy of `bytes`; NULL when the pool is empty or the
/// bytes do not fit one segment.
void *sluice_dpdk_mbuf_copy(void *pool, const void *bytes, uint32_t length);

/// A port's counters (rte_eth_stats_get).
struct sluice_dpdk_stats {
    uint64_t ipackets, ibytes, opackets, obytes, imissed, ierrors, oerrors, rx_nombuf;
};

/// Reads `port`'s counters. 0 or -errno.
int sluice_dpdk_stats(uint16_t port, struct sluice_dpdk_stats *out);

#ifdef __cplusplus
}
#endif
#endif
