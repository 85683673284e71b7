/** Where a person fixes what an alert is about. Plain data: each channel renders them its own way. */
export interface AlertLink {
  title: string;
  url: string;
}

export const APPLE_PUSH_PORTAL_URL = 'https://identity.apple.com/pushcert/';
export const INTUNE_ADMIN_CENTER_URL = 'https://intune.microsoft.com/';
export const APPLE_BUSINESS_MANAGER_URL = 'https://business.apple.com/';

export const INTUNE_ADMIN_CENTER: AlertLink = Object.freeze({ title: 'Intune admin center', url: INTUNE_ADMIN_CENTER_URL });
export const APPLE_PUSH_PORTAL: AlertLink = Object.freeze({ title: 'Apple Push Certificates Portal', url: APPLE_PUSH_PORTAL_URL });
export const APPLE_BUSINESS_MANAGER: AlertLink = Object.freeze({ title: 'Apple Business Manager', url: APPLE_BUSINESS_MANAGER_URL });
