/** What a payload builder knows besides the event: how to name the tenant to people. */
export interface MessageContext {
  tenantId: string;
  tenantName: string;
}
