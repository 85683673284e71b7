// The Functions entry point (package.json "main"): importing a function file registers it.
import { app } from '@azure/functions';
import { flushFunctionTelemetry } from '../shared/composition/functionServices';
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

// A graceful stop of the instance (scale-in): the telemetry still waiting for its export leaves now.
app.hook.appTerminate(() => flushFunctionTelemetry());
