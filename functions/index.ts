// The Functions entry point (package.json "main"): importing a function file registers it.
import './checkApnsExpiry';
import './getApnsStatus';
import './renewApnsCertificate';
import './getApnsCsr';
import './getApnsDashboard';
import './checkTenantFromQueue';
import './handleTenantCheckPoison';
import './keyVaultSecretVersionCreated';
import './renewalProposalActions';
