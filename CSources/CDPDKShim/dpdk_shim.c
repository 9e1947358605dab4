// See include/CDPDKShim.h. The real implementation needs libdpdk-dev's headers (found through
// pkg-config by the CDPDK system library); without them every call reports -ENOTSUP.
#define _GNU_SOURCE
#include "CDPDKShim.h"
#include <errno.h>

#if __has_include(<rte_config.h>)
#define ALLOW_EXPERIMENTAL_API 1
#include <rte_config.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>
#include <sched.h>
#include <string.h>

static int timestampOffset = -1;
static uint64_t timestampFlag = 0;

// The Microsoft/Intel default key with its 16-bit pattern repeated: 0x6d5a makes the Toeplitz
// hash of (src, dst) equal to that of (dst, src), so a flow's two directions share a queue.
static uint8_t symmetricKey[40] = {
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
    0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

int sluice_dpdk_available(void) { return 1; }

int sluice_dpdk_eal_init(int argc, char **argv) {
    cpu_set_t before;
    int saved = sched_getaffinity(0, sizeof before, &before) == 0;
    int rc = rte_eal_init(argc, argv);
    if (rc < 0) return rte_errno > 0 ? -rte_errno : -EINVAL;
    if (saved) (void)sched_setaffinity(0, sizeof before, &before);
    if (rte_mbuf_dyn_rx_timestamp_register(&timestampOffset, &timestampFlag) != 0) timestampOffset = -1;
    return 0;
}

int sluice_dpdk_eal_cleanup(void) { return rte_eal_cleanup(); }

int sluice_dpdk_thread_register(void) {
    if (rte_lcore_id() != LCORE_ID_ANY) return 0;
    return rte_thread_register() == 0 ? 0 : -rte_errno;
}

uint16_t sluice_dpdk_port_count(void) { return rte_eth_dev_count_avail(); }

int sluice_dpdk_port_at(uint16_t index, uint16_t *port, char *name, size_t capacity) {
    uint16_t i = 0, p;
    RTE_ETH_FOREACH_DEV(p) {
        if (i++ != index) continue;
        char n[RTE_ETH_NAME_MAX_LEN];
        int rc = rte_eth_dev_get_name_by_port(p, n);
        if (rc != 0) return rc;
        if (capacity > 0) { strncpy(name, n, capacity - 1); name[capacity - 1] = 0; }
        *port = p;
        return 0;
    }
    return -ENODEV;
}

int sluice_dpdk_port_by_name(const char *name, uint16_t *port) {
    int rc = rte_eth_dev_get_port_by_name(name, port);
    return rc < 0 ? rc : 0;
}

int sluice_dpdk_port_max_queues(uint16_t port) {
    struct rte_eth_dev_info info;
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0) return rc;
    return info.max_rx_queues < info.max_tx_queues ? info.max_rx_queues : info.max_tx_queues;
}

void *sluice_dpdk_pool_create(const char *name, uint32_t count, uint32_t cache, uint16_t dataRoom, int *error) {
    struct rte_mempool *p = rte_pktmbuf_pool_create(name, count, cache, 0,
                                                    dataRoom ? dataRoom : RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
    if (!p) *error = -rte_errno;
    return p;
}

uint32_t sluice_dpdk_pool_available(void *pool) { return rte_mempool_avail_count(pool); }

int sluice_dpdk_port_start(uint16_t port, uint16_t queues, uint16_t ringSize, void *pool, const char **stage) {
    struct rte_eth_dev_info info;
    *stage = "rte_eth_dev_info_get";
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0) return rc;
    *stage = "queues";
    if (queues > info.max_rx_queues || queues > info.max_tx_queues) return -EINVAL;
    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    uint64_t hf = info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
    if (queues > 1 && hf != 0) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_key = symmetricKey;
        conf.rx_adv_conf.rss_conf.rss_key_len = sizeof symmetricKey;
        conf.rx_adv_conf.rss_conf.rss_hf = hf;
    }
    if (timestampOffset >= 0 && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP))
        conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
    *stage = "rte_eth_dev_configure";
    rc = rte_eth_dev_configure(port, queues, queues, &conf);
    if (rc != 0) return rc;
    uint16_t rxd = ringSize, txd = ringSize;
    *stage = "rte_eth_dev_adjust_nb_rx_tx_desc";
    rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
    if (rc != 0) return rc;
    int socket = rte_eth_dev_socket_id(port);
    for (uint16_t q = 0; q < queues; q++) {
        *stage = "rte_eth_rx_queue_setup";
        rc = rte_eth_rx_queue_setup(port, q, rxd, socket, NULL, pool);
        if (rc != 0) return rc;
        *stage = "rte_eth_tx_queue_setup";
        rc = rte_eth_tx_queue_setup(port, q, txd, socket, NULL);
        if (rc != 0) return rc;
    }
    *stage = "rte_eth_dev_start";
    rc = rte_eth_dev_start(port);
    if (rc != 0) return rc;
    // Inline and tap ports see traffic for other MACs; drivers without the mode say -ENOTSUP.
    (void)rte_eth_promiscuous_enable(port);
    return 0;
}

void sluice_dpdk_port_close(uint16_t port) {
    (void)rte_eth_dev_stop(port);
    (void)rte_eth_dev_close(port);
}

uint16_t sluice_dpdk_rx_burst(uint16_t port, uint16_t queue, void **mbufs, uint16_t count) {
    return rte_eth_rx_burst(port, queue, (struct rte_mbuf **)mbufs, count);
}

uint16_t sluice_dpdk_tx_burst(uint16_t port, uint16_t queue, void **mbufs, uint16_t count) {
    return rte_eth_tx_burst(port, queue, (struct rte_mbuf **)mbufs, count);
}

const void *sluice_dpdk_mbuf_data(const void *mbuf, uint32_t *segmentLength, uint32_t *packetLength) {
    const struct rte_mbuf *m = mbuf;
    *segmentLength = m->data_len;
    *packetLength = m->pkt_len;
    return rte_pktmbuf_mtod(m, const void *);
}

const void *sluice_dpdk_mbuf_linear(const void *mbuf, void *scratch, uint32_t capacity, uint32_t *length) {
    const struct rte_mbuf *m = mbuf;
    uint32_t len = m->pkt_len;
    if (m->data_len >= len) { *length = len; return rte_pktmbuf_mtod(m, const void *); }
    if (len > capacity) len = capacity;
    *length = len;
    return rte_pktmbuf_read(m, 0, len, scratch);
}

uint64_t sluice_dpdk_mbuf_timestamp(const void *mbuf) {
    const struct rte_mbuf *m = mbuf;
    if (timestampOffset < 0 || !(m->ol_flags & timestampFlag)) return 0;
    return *RTE_MBUF_DYNFIELD(m, timestampOffset, const rte_mbuf_timestamp_t *);
}

uint64_t sluice_dpdk_mbuf_offload_flags(const void *mbuf) { return ((const struct rte_mbuf *)mbuf)->ol_flags; }

void sluice_dpdk_mbuf_retain(void *mbuf) { rte_mbuf_refcnt_update(mbuf, 1); }

void sluice_dpdk_mbuf_free_bulk(void **mbufs, uint32_t count) {
    rte_pktmbuf_free_bulk((struct rte_mbuf **)mbufs, count);
}

void *sluice_dpdk_mbuf_copy(void *pool, const void *bytes, uint32_t length) {
    struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
    if (!m) return NULL;
    char *dst = length <= UINT16_MAX ? rte_pktmbuf_append(m, (uint16_t)length) : NULL;
    if (!dst) { rte_pktmbuf_free(m); return NULL; }
    memcpy(dst, bytes, length);
    return m;
}

int sluice_dpdk_stats(uint16_t port, struct sluice_dpdk_stats *out) {
    struct rte_eth_stats s;
    int rc = rte_eth_stats_get(port, &s);
    if (rc != 0) return rc;
    out->ipackets = s.ipackets; out->ibytes = s.ibytes; out->opackets = s.opackets; out->obytes = s.obytes;
    out->imissed = s.imissed; out->ierrors = s.ierrors; out->oerrors = s.oerrors; out->rx_nombuf = s.rx_nombuf;
    return 0;
}

#else  // built without libdpdk-dev

int sluice_dpdk_available(void) { return 0; }
int sluice_dpdk_eal_init(int argc, char **argv) { (void)argc; (void)argv; return -ENOTSUP; }
int sluice_dpdk_eal_cleanup(void) { return -ENOTSUP; }
int sluice_dpdk_thread_register(void) { return -ENOTSUP; }
uint16_t sluice_dpdk_port_count(void) { return 0; }
int sluice_dpdk_port_at(uint16_t index, uint16_t *port, char *name, size_t capacity) {
    (void)index; (void)port; (void)name; (void)capacity; return -ENOTSUP;
}
int sluice_dpdk_port_by_name(const char *name, uint16_t *port) { (void)name; (void)port; return -ENOTSUP; }
int sluice_dpdk_port_max_queues(uint16_t port) { (void)port; return -ENOTSUP; }
void *sluice_dpdk_pool_create(const char *name, uint32_t count, uint32_t cache, uint16_t dataRoom, int *error) {
    (void)name; (void)count; (void)cache; (void)dataRoom; *error = -ENOTSUP; return 0;
}
uint32_t sluice_dpdk_pool_available(void *pool) { (void)pool; return 0; }
int sluice_dpdk_port_start(uint16_t port, uint16_t queues, uint16_t ringSize, void *pool, const char **stage) {
    (void)port; (void)queues; (void)ringSize; (void)pool; *stage = "DPDK"; return -ENOTSUP;
}
void sluice_dpdk_port_close(uint16_t port) { (void)port; }
uint16_t sluice_dpdk_rx_burst(uint16_t port, uint16_t queue, void **mbufs, uint16_t count) {
    (void)port; (void)queue; (void)mbufs; (void)count; return 0;
}
uint16_t sluice_dpdk_tx_burst(uint16_t port, uint16_t queue, void **mbufs, uint16_t count) {
    (void)port; (void)queue; (void)mbufs; (void)count; return 0;
}
const void *sluice_dpdk_mbuf_data(const void *mbuf, uint32_t *segmentLength, uint32_t *packetLength) {
    (void)mbuf; *segmentLength = 0; *packetLength = 0; return 0;
}
const void *sluice_dpdk_mbuf_linear(const void *mbuf, void *scratch, uint32_t capacity, uint32_t *length) {
    (void)mbuf; (void)scratch; (void)capacity; *length = 0; return 0;
}
uint64_t sluice_dpdk_mbuf_timestamp(const void *mbuf) { (void)mbuf; return 0; }
uint64_t sluice_dpdk_mbuf_offload_flags(const void *mbuf) { (void)mbuf; return 0; }
void sluice_dpdk_mbuf_retain(void *mbuf) { (void)mbuf; }
void sluice_dpdk_mbuf_free_bulk(void **mbufs, uint32_t count) { (void)mbufs; (void)count; }
void *sluice_dpdk_mbuf_copy(void *pool, const void *bytes, uint32_t length) {
    (void)pool; (void)bytes; (void)length; return 0;
}
int sluice_dpdk_stats(uint16_t port, struct sluice_dpdk_stats *out) { (void)port; (void)out; return -ENOTSUP; }

#endif
