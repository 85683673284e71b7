import type { ReadOutcome } from '../../shared/domain/assets';
import { uniformSnapshot, type AdeToken, type ApnsCertificate, type TenantSnapshot, type VppToken } from '../../shared/domain/snapshot';
import { MS_PER_DAY } from '../../shared/domain/assessExpiry';

export const TENANT = 'contoso';
export const TOPIC = 'com.apple.mgmt.External.7f4c6b1e-2d3a-4c5b-9e8f-0a1b2c3d4e5f';
export const APPLE_ID = 'mdm-admin@contoso.com';
export const NOW = Date.UTC(2026, 10, 23, 8, 0, 0);
export const days = (n: number, from = NOW) => from + n * MS_PER_DAY;

export function apnsCert(overrides: Partial<ApnsCertificate> = {}): ApnsCertificate {
  return {
    topicIdentifier: TOPIC,
    appleIdentifier: APPLE_ID,
    expirationDateTime: days(200),
    certificateSerialNumber: '5A1B2C3D4E5F6071',
    certificateUploadStatus: null,
    certificateUploadFailureReason: null,
    ...overrides,
  };
}

export function vppToken(overrides: Partial<VppToken> = {}): VppToken {
  return {
    id: '11111111-aaaa-bbbb-cccc-000000000001',
    appleId: 'vpp@contoso.com',
    organizationName: 'Contoso',
    expirationDateTime: days(300),
    state: 'valid',
    lastSyncStatus: 'completed',
    ...overrides,
  };
}

export function adeToken(overrides: Partial<AdeToken> = {}): AdeToken {
  return {
    id: '22222222-aaaa-bbbb-cccc-000000000001',
    appleIdentifier: 'ade@contoso.com',
    tokenName: 'Contoso ADE',
    tokenExpirationDateTime: days(250),
    ...overrides,
  };
}

export function snapshot(parts: {
  apns?: ReadOutcome<ApnsCertificate> | ApnsCertificate;
  vpp?: ReadOutcome<VppToken[]> | VppToken[];
  ade?: ReadOutcome<AdeToken[]> | AdeToken[];
  readAt?: number;
} = {}): TenantSnapshot {
  const wrap = <T>(v: ReadOutcome<T> | T | undefined, fallback: T): ReadOutcome<T> => {
    if (v === undefined) return { status: 'ok', value: fallback };
    if (typeof v === 'object' && v !== null && 'status' in v && typeof (v as { status: unknown }).status === 'string' && !Array.isArray(v)) {
      return v as ReadOutcome<T>;
    }
    return { status: 'ok', value: v as T };
  };
  return {
    // Kinds a test does not name are switched off.
    ...uniformSnapshot(TENANT, parts.readAt ?? NOW, () => ({ status: 'skipped' })),
    apns: wrap(parts.apns, apnsCert()),
    vpp: wrap(parts.vpp, []),
    ade: wrap(parts.ade, []),
  };
}
