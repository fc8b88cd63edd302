#pragma once

#include <vector>

#include "metrics/prometheus_writer.h"
#include "proxy/proxy_config.h"

namespace faultline {

// The families that show what the TCP toxics did, per proxy and toxic: connections cut (by
// mode), tcp_loss stalls and their time, bytes corrupted, latency's delays as a histogram, and
// whether connect_timeout holds the listen address now. Every toxic of those types has rows
// (0 until it acts); a removed toxic keeps what it counted.
void renderToxicEffects(PrometheusWriter& w, const std::vector<ProxyInfo>& proxies);

}  // namespace faultline
