// The Functions entry point (package.json "main"): importing a function file registers it.
import './checkApnsExpiry';
import './getApnsStatus';
import './getApnsCalendar';
import './renewApnsCertificate';
import './getApnsCsr';
import './getApnsDashboard';
import './acknowledgeApnsAlert';
import './checkTenantFromQueue';
import './handleTenantCheckPoison';
import './keyVaultSecretVersionCreated';
import './renewalProposalActions';
