'use strict';
// Node.js 20 is end of life and the Azure SDKs this tool uses declare Node.js >= 22. Said in one
// line, with the way out, before anything is loaded (which would fail with an unexplained error).
const REQUIRED_MAJOR = 22;

/** The one-line refusal for this Node.js version, or undefined when it is recent enough. */
function nodeVersionProblem(version) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0]);
  if (Number.isFinite(major) && major >= REQUIRED_MAJOR) return undefined;
  return `apns-monitor needs Node.js ${REQUIRED_MAJOR} or later (this is Node.js ${String(version).replace(/^v/, '')}): run it with the project's own Node.js as "npx apns-monitor <command>" (or "npm run demo") after "npm ci".`;
}

module.exports = { nodeVersionProblem, REQUIRED_MAJOR };
