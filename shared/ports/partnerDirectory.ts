import type { GdapCustomer } from '../domain/graphJson';

export type { GdapCustomer };

/**
 * The partner tenant's view of its customers (Microsoft Partner Center's granular delegated admin
 * privileges, GDAP), read from the home tenant with its own credential.
 */
export interface PartnerDirectory {
  /** `GET /v1.0/tenantRelationships/delegatedAdminCustomers`, every page. Throws an AppError on failure. */
  listDelegatedAdminCustomers(): Promise<GdapCustomer[]>;
}
