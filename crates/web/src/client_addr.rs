//! Who the client is, for throttling: the TCP peer, unless the peer is one of the proxies
//! named in `FML_TRUSTED_PROXIES` — then the nearest address in `X-Forwarded-For` that is not
//! itself a trusted proxy. Without the setting, `X-Forwarded-For` is never believed (anyone can
//! send it); behind a proxy that is not named, every client looks like the proxy.

use std::net::IpAddr;

/// Addresses and CIDR ranges of the reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma-separated list of addresses and ranges: `10.0.0.5, 10.1.0.0/16, fd00::/8`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (ip, bits) = match item.split_once('/') {
                Some((ip, bits)) => (ip, Some(bits)),
                None => (item, None),
            };
            let ip: IpAddr = ip.parse().map_err(|_| format!("{item:?} is not an IP address or CIDR range"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| format!("{item:?}: bad prefix"))?,
            };
            out.push((ip, bits));
        }
        Ok(Self(out))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, bits)| in_range(ip, canonical(*net), *bits))
    }
}

/// IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what a dual-stack listener reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    let (a, b, len) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)) << 96, u128::from(u32::from(b)) << 96, bits),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), bits),
        _ => return false,
    };
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    a & mask == b & mask
}

/// The client of a request that reached us from `peer` with these `X-Forwarded-For` values.
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> IpAddr {
    if !trusted.contains(peer) {
        return canonical(peer);
    }
    // Right to left: each trusted proxy appended the address it received from.
    let hops = forwarded_for.iter().rev().flat_map(|v| v.rsplit(',')).map(str::trim);
    let mut client = canonical(peer);
    for hop in hops {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = canonical(ip);
        if !trusted.contains(ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_addresses_and_ranges() {
        let t = TrustedProxies::parse(" 10.0.0.5, 10.1.0.0/16 ,fd00::/8,").unwrap();
        assert!(t.contains(ip("10.0.0.5")) && !t.contains(ip("10.0.0.6")));
        assert!(t.contains(ip("10.1.255.3")) && !t.contains(ip("10.2.0.1")));
        assert!(t.contains(ip("fd12::1")) && !t.contains(ip("fe80::1")));
        assert!(t.contains(ip("::ffff:10.0.0.5")), "a dual-stack listener's view of an IPv4 proxy");
        for bad in ["10.0.0.5/33", "proxy.internal", "10.0.0/8", "::1/129"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let t = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // (peer, X-Forwarded-For values, client)
        let table: &[(&str, &[&str], &str)] = &[
            // Not from a proxy: the header is anyone's to forge.
            ("203.0.113.9", &["198.51.100.1"], "203.0.113.9"),
            // One proxy.
            ("10.0.0.5", &["198.51.100.1"], "198.51.100.1"),
            // The client forged a first entry; the proxy appended the real one.
            ("10.0.0.5", &["1.2.3.4, 198.51.100.1"], "198.51.100.1"),
            // Two proxies, in one header or two.
            ("10.0.0.5", &["198.51.100.1, 10.0.0.7"], "198.51.100.1"),
            ("10.0.0.5", &["198.51.100.1", "10.0.0.7"], "198.51.100.1"),
            // A proxy that sent no header, or garbage: the proxy itself.
            ("10.0.0.5", &[], "10.0.0.5"),
            ("10.0.0.5", &["unknown"], "10.0.0.5"),
            ("10.0.0.5", &["garbage, 10.0.0.7"], "10.0.0.7"),
            // Only proxies: the furthest one.
            ("10.0.0.5", &["10.0.0.9"], "10.0.0.9"),
            ("10.0.0.5", &["2001:db8::1"], "2001:db8::1"),
        ];
        for (peer, xff, want) in table {
            assert_eq!(client_ip(ip(peer), xff, &t), ip(want), "{peer} {xff:?}");
        }
        // Without the setting nothing is believed.
        assert_eq!(client_ip(ip("10.0.0.5"), &["198.51.100.1"], &TrustedProxies::default()), ip("10.0.0.5"));
    }
}
