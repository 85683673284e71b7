/** Who is looking. `canRenew`: may run the renewal dry run and fetch the CSR (`ApnsMonitor.Operator`, or the local `serve`). */
export interface Viewer {
  name: string | null;
  canRenew: boolean;
  /**
   * On `apns-monitor serve`: an upload from the page (approving a proposal) also needs the key the
   * server printed on its terminal, typed by the person (SPEC §9: a confirmation no web page can forge).
   */
  confirmsUploadWithKey?: boolean;
}
