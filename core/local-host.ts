// Whether a URL names the machine it is called from: loopback, the unspecified address, `localhost` names, or a
// link-local address (cloud metadata services live there). A tenant's cloud call runs in the worker process, so
// such a URL reaches the platform's own services (the hypervisor API, the API, anything bound to 127.0.0.1).
// Pure: literal hosts only; a DNS name that resolves to loopback is the URL policy's documented gap.

/** 127.0.0.0/8, 0.0.0.0/8 and 169.254.0.0/16, given the four octets. */
const localIpv4 = ([a, b]: number[]) => a === 127 || a === 0 || (a === 169 && b === 254);

function localIpv6(address: string): boolean {
  if (address === '::1' || address === '::') return true;
  if (/^fe[89ab][0-9a-f]:/.test(address)) return true;
  // An IPv4-mapped address, which the URL parser writes as two hex groups (`::ffff:7f00:1`).
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (mapped === null) return false;
  const high = Number.parseInt(mapped[1] as string, 16);
  const low = Number.parseInt(mapped[2] as string, 16);
  return localIpv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

export function namesLocalHost(url: string): boolean {
  let host: string;
  try {
    // The WHATWG parser normalises `127.1`, `2130706433` and `0x7f.1` to 127.0.0.1, and lower-cases names.
    host = new URL(url).hostname.replace(/\.$/, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host.startsWith('[')) return localIpv6(host.slice(1, -1));
  const octets = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return octets !== null && localIpv4(octets.slice(1).map(Number));
}
