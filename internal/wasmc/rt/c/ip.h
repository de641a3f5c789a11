// ip.h: CEL's inIPAddrRange, as runtime/ip.go implements it.
#ifndef RT_IP_H
#define RT_IP_H

#include "rt.h"

// rt_in_ip_range reports in *in whether addr (IPv4 or IPv6) lies in the CIDR range
// cidr, as runtime.InIPAddrRange: an IPv4 address written in IPv6 form
// (::ffff:10.0.0.1) is IPv4, an address of the other family is not in the range,
// addresses are read as net/netip reads them and zones are refused. ERR_BAD_IP or
// ERR_BAD_CIDR for a malformed address or range (callers fail closed).
rt_err rt_in_ip_range(str addr, str cidr, bool *in);

#endif
