import { lookup as dnsLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * The one way the app talks to an address someone typed (a webhook's URL):
 * only to public addresses (ARCHITECTURE.md rule 10). Loopback, private
 * (RFC 1918, fc00::/7), link-local (169.254.0.0/16 with the cloud metadata
 * service, fe80::/10), CGNAT (100.64.0.0/10), unspecified, multicast,
 * reserved and the rest that ipaddr.js does not call "unicast" are refused:
 * when the URL is saved, and again at each delivery, after DNS resolution,
 * on the very address the connection is made to (a name that resolved to a
 * public address when saved and to 127.0.0.1 later is refused then). A
 * redirect is never followed. WEBHOOK_ALLOW_PRIVATE=1 allows private
 * addresses, for development.
 */

export type OutboundRefusal = "bad_url" | "private_address" | "unresolvable";

export const OUTBOUND_MESSAGES: Record<OutboundRefusal, string> = {
  bad_url: "送信先URLは http:// または https:// で始まるURLを入力してください",
  private_address:
    "この送信先URLには送信できません。内部のアドレス(127.0.0.1、192.168.x.x、169.254.169.254 など)を指すURLは登録できません。インターネットから届くURLを入力してください",
  unresolvable: "送信先URLのホスト名が見つかりません。URLのつづりをご確認ください",
};

/** Whether an IP address is one the app may send to. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // ::ffff:10.0.0.1 is judged as 10.0.0.1
  return ipaddr.process(address).range() === "unicast";
}

function hostOf(url: URL): string {
  // new URL keeps the brackets of an IPv6 literal
  return url.hostname.replace(/^\[|\]$/g, "");
}

function parse(raw: string): URL | undefined {
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    if (url.username || url.password) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => {
      resolve(error ? [] : addresses.map((a) => a.address));
    });
  });
}

/**
 * Checks a URL before it is saved: undefined when it may be used, else why
 * not. Every address its host resolves to must be public.
 */
export async function checkOutboundUrl(
  raw: string,
  options: { allowPrivate: boolean },
): Promise<OutboundRefusal | undefined> {
  const url = parse(raw);
  if (!url) return "bad_url";
  const host = hostOf(url);
  const addresses = ipaddr.isValid(host) ? [host] : await resolveAll(host);
  if (addresses.length === 0) return "unresolvable";
  if (!options.allowPrivate && !addresses.every(isPublicAddress)) return "private_address";
  return undefined;
}

export class OutboundRefused extends Error {
  constructor(readonly reason: OutboundRefusal) {
    super(`outbound request refused: ${reason}`);
  }
}

/**
 * DNS lookup for the connection itself: the address connected to is the one
 * checked (no second lookup an attacker's DNS could answer differently).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const list = addresses as { address: string; family: number }[];
      const refused = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (refused || list.length === 0) {
        return callback(new OutboundRefused("private_address"), "", 4);
      }
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      }
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/**
 * POSTs `body` to `raw` under the rules above; resolves with the status. A
 * 3xx is returned as is, never followed. Throws OutboundRefused for a URL
 * that may not be reached.
 */
export async function postOutbound(
  raw: string,
  args: {
    body: string;
    headers: Record<string, string>;
    allowPrivate: boolean;
    timeoutMs?: number;
  },
): Promise<number> {
  const url = parse(raw);
  if (!url) throw new OutboundRefused("bad_url");
  const host = hostOf(url);
  if (ipaddr.isValid(host) && !args.allowPrivate && !isPublicAddress(host)) {
    throw new OutboundRefused("private_address");
  }
  const client = url.protocol === "https:" ? https : http;
  return new Promise<number>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { ...args.headers, "Content-Length": Buffer.byteLength(args.body) },
        lookup: guardedLookup(args.allowPrivate),
        timeout: args.timeoutMs ?? 10_000,
      },
      (response) => {
        response.resume();
        response.once("end", () => resolve(response.statusCode ?? 0));
        response.once("error", reject);
      },
    );
    request.once("timeout", () => request.destroy(new Error("timeout")));
    request.once("error", reject);
    request.end(args.body);
  });
}
