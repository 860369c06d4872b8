// Memory floor for bench/foundation.ts: a process that only loads tmbot's runtime libraries.
require('telegraf');
require('dockerode');
require('systeminformation');
require('ajv');
require('yaml');
require('@otplib/totp');
require('@otplib/plugin-crypto-node');
require('qrcode');
setInterval(() => undefined, 1 << 30);
