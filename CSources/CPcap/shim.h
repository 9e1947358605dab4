#ifndef SLUICE_CPCAP_SHIM_H
#define SLUICE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
