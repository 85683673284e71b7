import type { MonitoredKind } from '../domain/assets';
import type { ApnsCertificate, TenantSnapshot } from '../domain/snapshot';

/**
 * Everything the product reads from (and writes to) Intune through Microsoft Graph.
 * Read failures are returned as data inside the snapshot (never thrown), so one failing resource
 * does not hide the others and the monitor can alert on its own blindness.
 */
export interface IntuneGateway {
  /** One round trip: a `$batch` per API version, sent concurrently. */
  readTenant(kinds: readonly MonitoredKind[]): Promise<TenantSnapshot>;
  /** The APNs certificate now, or null when the tenant has none (404). Throws an AppError on failure. */
  getApnsCertificate(): Promise<ApnsCertificate | null>;
  /** PATCH `/beta/deviceManagement/applePushNotificationCertificate`. Throws `upload_failed`. */
  uploadApnsCertificate(input: { appleIdentifier: string; certificatePem: string }): Promise<void>;
  /** `downloadApplePushNotificationCertificateSigningRequest`: the CSR text for the Apple portal. */
  downloadCsr(): Promise<string>;
}
