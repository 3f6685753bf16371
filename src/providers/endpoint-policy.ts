/**
 * Hosts a provider endpoint may never name, even where custom endpoints are allowed: link-local
 * addresses and the clouds' instance-metadata services, which hand out the host's own credentials.
 * Literal addresses (IPv4, IPv6, IPv4-mapped IPv6; the URL parser has already turned decimal and hex
 * IPv4 forms into dotted ones) and the metadata services' documented names are checked. Names are
 * not resolved: a lookup now would not bind the address the SDK connects to later (DNS rebinding), so
 * production keeps custom endpoints off altogether (ALLOW_CUSTOM_PROVIDER_ENDPOINTS).
 */
import { BlockList, isIP } from "node:net";

const FORBIDDEN_ADDRESSES = new BlockList();
// IPv4 link-local, where AWS, GCP, Azure and Oracle serve instance metadata (169.254.169.254).
FORBIDDEN_ADDRESSES.addSubnet("169.254.0.0", 16, "ipv4");
// Alibaba Cloud's metadata service.
FORBIDDEN_ADDRESSES.addAddress("100.100.100.200", "ipv4");
// IPv6 link-local, and the EC2 metadata service's IPv6 address.
FORBIDDEN_ADDRESSES.addSubnet("fe80::", 10, "ipv6");
FORBIDDEN_ADDRESSES.addAddress("fd00:ec2::254", "ipv6");

/** Metadata host names (and every name under them): GCP's, AWS's, Azure's. */
const FORBIDDEN_NAMES = [
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
];

/**
 * Why an endpoint's host is refused, or undefined when it may be used. `hostname` is a URL's
 * (IPv6 in brackets); names compare without case and without a trailing dot.
 */
export function forbiddenEndpointHost(hostname: string): string | undefined {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const family = isIP(host);
  if (family !== 0) {
    // BlockList matches an IPv4-mapped IPv6 address (::ffff:169.254.169.254) against IPv4 rules too.
    return FORBIDDEN_ADDRESSES.check(host, family === 4 ? "ipv4" : "ipv6")
      ? `${host} is a link-local or instance-metadata address`
      : undefined;
  }
  return FORBIDDEN_NAMES.some((name) => host === name || host.endsWith(`.${name}`))
    ? `${host} is an instance-metadata host name`
    : undefined;
}
