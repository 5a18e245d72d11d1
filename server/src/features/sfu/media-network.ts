/**
 * What browsers will be told to connect to for media, and what looks wrong about it. A wrong announced IP is the
 * most common mediasoup deployment failure (signaling works, video never starts), so it is logged at boot and
 * shown in /readyz.
 */
import { isIP } from 'node:net';
import type { Config } from '../../config';

export interface MediaNetwork {
  listenIp: string;
  announcedIp: string | null;
  /** The address put in ICE candidates: the announced IP, else the listen IP. */
  candidateIp: string;
  rtcPorts: string;
  warnings: string[];
}

const isLoopback = (host: string) => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
};
const isUnspecified = (ip: string) => ip === '0.0.0.0' || ip === '::';

export function mediaNetwork(
  config: Pick<
    Config,
    'MEDIA_LISTEN_IP' | 'MEDIA_ANNOUNCED_IP' | 'MEDIA_RTC_MIN_PORT' | 'MEDIA_RTC_MAX_PORT' | 'PUBLIC_URL'
  >,
): MediaNetwork {
  const listenIp = config.MEDIA_LISTEN_IP;
  const announcedIp = config.MEDIA_ANNOUNCED_IP ?? null;
  const candidateIp = announcedIp ?? listenIp;
  const publicHost = new URL(config.PUBLIC_URL).hostname;
  const warnings: string[] = [];
  if (isUnspecified(listenIp) && !announcedIp) {
    warnings.push(
      `MEDIA_LISTEN_IP=${listenIp} without MEDIA_ANNOUNCED_IP: ICE candidates carry ${listenIp}, which no browser can reach; set MEDIA_ANNOUNCED_IP to this node's public (or LAN) IP`,
    );
  } else if (isLoopback(candidateIp) && !isLoopback(publicHost)) {
    warnings.push(
      `media is announced on loopback (${candidateIp}) but PUBLIC_URL is ${config.PUBLIC_URL}: browsers on other machines will connect but never receive video; set MEDIA_LISTEN_IP=0.0.0.0 and MEDIA_ANNOUNCED_IP to the address they reach`,
    );
  }
  return {
    listenIp,
    announcedIp,
    candidateIp,
    rtcPorts: `${config.MEDIA_RTC_MIN_PORT}-${config.MEDIA_RTC_MAX_PORT}`,
    warnings,
  };
}
