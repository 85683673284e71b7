// The Functions entry point (package.json "main"): importing a function file registers it.
import { app } from '@azure/functions';
import { flushFunctionTelemetry } from '../shared/composition/functionServices';
import './checkApnsExpiry';
import './getApnsStatus';
import './renewApnsCertificate';
import './getApnsCsr';
import './getApnsDashboard';
import './checkTenantFromQueue';
import './handleTenantCheckPoison';

// A graceful stop of the instance (scale-in): the telemetry still waiting for its export leaves now.
app.hook.appTerminate(() => flushFunctionTelemetry());
