import { readFileSync } from 'node:fs';
import tls from 'node:tls';

// Runs in every test process. Tests must never reach Azure, nor pick up a developer's Azure
// settings: the SDKs read these variables themselves.
for (const name of Object.keys(process.env)) {
  if (/^(AZURE_|APNS_(?!TEST_)|IDENTITY_|MSI_|APPLICATIONINSIGHTS_|AzureWebJobs)/.test(name)) delete process.env[name];
}

// Application Insights must never phone home from a test (statsbeat goes to Azure by default).
process.env.APPLICATIONINSIGHTS_STATSBEAT_DISABLED = 'true';

// Workers booted with NODE_EXTRA_CA_CERTS already trust the test CA. When Jest runs in band (one
// test file), this process started before the CA existed, so add it to the default store here.
const caPath = process.env.APNS_TEST_CA_CERT;
if (caPath) {
  const ca = readFileSync(caPath, 'utf8');
  const current = tls.getCACertificates('default');
  if (!current.some((c) => c.trim() === ca.trim())) tls.setDefaultCACertificates([...current, ca]);
}
