/**
 * How people know a tenant: "Contoso (0b4a…)", or the id alone when it has no other name. One
 * form for messages, the CLI, log lines and sign-in errors.
 */
export function describeTenant(tenantId: string, tenantName: string): string {
  return tenantName === tenantId ? tenantId : `${tenantName} (${tenantId})`;
}
