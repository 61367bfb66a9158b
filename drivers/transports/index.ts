/** Byte transports to a probe: serial, socket (simulator), USB bulk; one interface, one factory. */
export * from './transport.js';
export * from './errors.js';
export * from './serial.js';
export * from './socket.js';
export * from './usb.js';
export * from './open-transport.js';
