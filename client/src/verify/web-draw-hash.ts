/**
 * The draw's hashing (`DrawHash`) for the browser, on WebCrypto. `crypto.subtle` is asynchronous while the
 * shared draw module is synchronous, so every digest the verifier will ask for is computed up front and looked
 * up by its input; the algorithm itself stays the one in contracts/lottery-draw.ts. Without WebCrypto (pages
 * served over plain HTTP off localhost) the plain-JS SHA-256 in sha256.ts does the same work.
 */

import type { LotteryAudit } from '@lc/contracts/lottery.schema';
import { canonicalEntrants, type DrawHash, hexToBytes } from '@lc/contracts/lottery-draw';
import { hmacSha256, sha256 as sha256Js } from './sha256';

const utf8 = new TextEncoder();
const hex = (buf: ArrayBuffer | Uint8Array) =>
  Array.from(buf instanceof Uint8Array ? buf : new Uint8Array(buf), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

const sha256 = async (data: Uint8Array) => hex(await crypto.subtle.digest('SHA-256', data as BufferSource));

/** Plain-JS hashing: where WebCrypto is missing (insecure context), and the reference in tests. */
export const jsDrawHash: DrawHash = {
  sha256Hex: (data) => hex(sha256Js(data)),
  hmacSha256Hex: (key, msg) => hex(hmacSha256(key, msg)),
};

/**
 * A `DrawHash` answering exactly the digests that verifying (or redrawing) `audit` needs: WebCrypto when the
 * page has it, else the plain-JS implementation.
 */
export async function webDrawHash(audit: Pick<LotteryAudit, 'seed' | 'entrants'>): Promise<DrawHash> {
  if (!globalThis.crypto?.subtle) return jsDrawHash;
  const digests = new Map<string, string>();
  const macs = new Map<string, string>();
  const addDigest = async (data: Uint8Array) => void digests.set(hex(data), await sha256(data));

  let seed: Uint8Array | null = null;
  try {
    seed = hexToBytes(audit.seed);
  } catch {
    // Not hex: the verifier reports it and never asks for the seed's digest or MACs.
  }
  const jobs: Promise<void>[] = [
    addDigest(utf8.encode(audit.entrants.join('\n'))),
    addDigest(utf8.encode(canonicalEntrants(audit.entrants).join('\n'))),
  ];
  if (seed) {
    const key = seed;
    jobs.push(addDigest(key));
    const hmacKey = await crypto.subtle.importKey(
      'raw',
      key as BufferSource,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    for (const id of new Set(audit.entrants)) {
      jobs.push(
        crypto.subtle
          .sign('HMAC', hmacKey, utf8.encode(id) as BufferSource)
          .then((sig) => void macs.set(`${hex(key)}:${hex(utf8.encode(id))}`, hex(sig))),
      );
    }
  }
  await Promise.all(jobs);

  const lookup = (m: Map<string, string>, k: string) => {
    const v = m.get(k);
    if (v === undefined) throw new Error('digest not prepared for this input');
    return v;
  };
  return {
    sha256Hex: (data) => lookup(digests, hex(data)),
    hmacSha256Hex: (key, msg) => lookup(macs, `${hex(key)}:${hex(msg)}`),
  };
}
