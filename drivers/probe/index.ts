/** The probe manager: handshake, requests, frames, link-loss detection and reconnect. */
export * from './probe-link.js';
export * from './errors.js';
