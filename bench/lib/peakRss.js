'use strict';
// This process's peak RSS in MB. On Linux from VmHWM in /proc/self/status: getrusage's ru_maxrss
// (process.resourceUsage().maxRSS) starts at the parent's RSS when the parent forked the child, so
// a worker spawned by a bench holding 1,000 tenants' simulators would report at least that.
const { readFileSync } = require('node:fs');

function peakRssMb() {
  try {
    const kb = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS / 1024;
}

module.exports = { peakRssMb };
