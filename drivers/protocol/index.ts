/** Probe wire protocol v1 (docs/probe-protocol.md): message types, codecs, encoder, streaming decoder. */
export * from './messages.js';
export * from './crc32c.js';
export * from './header.js';
export * from './payloads.js';
export * from './encoder.js';
export * from './decoder.js';
