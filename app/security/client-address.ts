import ipaddr from "ipaddr.js";
import type express from "express";

/**
 * Who is asking: the client's address, as Express's req.ip gives it under the
 * `trust proxy` setting made from TRUST_PROXY (the number of proxies in front
 * of the app; 0, the default, trusts no X-Forwarded-For at all). Never a
 * header as the client sent it. IPv4 seen through IPv6 (::ffff:1.2.3.4) is
 * written as IPv4, so that one client has one key.
 */
export function clientAddress(req: express.Request): string {
  return normalise(req.ip ?? req.socket.remoteAddress ?? "");
}

export function normalise(address: string): string {
  if (!ipaddr.isValid(address)) return address || "unknown";
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}

/** The machine itself: the socket's own peer (no proxy header counts) is a loopback address. */
export function isLoopback(address: string | undefined): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "loopback";
}

/** Express's `trust proxy` value for TRUST_PROXY: the number of hops, or false for none. */
export function trustProxySetting(proxies: number): number | false {
  return proxies > 0 ? proxies : false;
}
