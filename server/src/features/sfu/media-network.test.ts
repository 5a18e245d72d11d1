import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { mediaNetwork } from './media-network';

const config = (env: Record<string, string> = {}) =>
  loadConfig({ DATA_DIR: mkdtempSync(join(os.tmpdir(), 'lc-media-config-')), ...env });

describe('media configuration', () => {
  it('defaults to media on, one worker per core, loopback, ports 40000-49999 and 400 consumers per router', () => {
    const c = config();
    expect(c).toMatchObject({
      MEDIA_ENABLED: true,
      MEDIA_WORKERS: os.availableParallelism(),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_RTC_MIN_PORT: 40000,
      MEDIA_RTC_MAX_PORT: 49999,
      MEDIA_CONSUMERS_PER_ROUTER: 400,
    });
    expect(c.MEDIA_ANNOUNCED_IP).toBeUndefined();
  });

  it('names bad media variables: a listen IP that is a host name, an inverted port range', () => {
    expect(() => config({ MEDIA_LISTEN_IP: 'example.com' })).toThrow(/MEDIA_LISTEN_IP="example.com"/);
    expect(() => config({ MEDIA_RTC_MIN_PORT: '50000', MEDIA_RTC_MAX_PORT: '40000' })).toThrow(
      /MEDIA_RTC_MAX_PORT="40000": must be >= MEDIA_RTC_MIN_PORT/,
    );
    expect(() => config({ MEDIA_ENABLED: 'perhaps' })).toThrow(/MEDIA_ENABLED="perhaps"/);
  });

  it('is quiet for a local setup and for a public node that announces its address', () => {
    expect(mediaNetwork(config()).warnings).toEqual([]);
    const pub = mediaNetwork(
      config({
        PUBLIC_URL: 'https://live.example.com',
        MEDIA_LISTEN_IP: '0.0.0.0',
        MEDIA_ANNOUNCED_IP: '203.0.113.7',
      }),
    );
    expect(pub).toMatchObject({
      listenIp: '0.0.0.0',
      announcedIp: '203.0.113.7',
      candidateIp: '203.0.113.7',
    });
    expect(pub.warnings).toEqual([]);
  });

  it('warns when browsers could not reach the announced address', () => {
    const unspecified = mediaNetwork(config({ MEDIA_LISTEN_IP: '0.0.0.0' }));
    expect(unspecified.warnings).toEqual([expect.stringMatching(/without MEDIA_ANNOUNCED_IP/)]);
    const loopback = mediaNetwork(config({ PUBLIC_URL: 'https://live.example.com' }));
    expect(loopback.warnings).toEqual([expect.stringMatching(/announced on loopback \(127\.0\.0\.1\)/)]);
    const announcedLoopback = mediaNetwork(
      config({
        PUBLIC_URL: 'http://192.168.1.20:3000',
        MEDIA_LISTEN_IP: '0.0.0.0',
        MEDIA_ANNOUNCED_IP: '127.0.0.1',
      }),
    );
    expect(announcedLoopback.warnings).toHaveLength(1);
  });
});
